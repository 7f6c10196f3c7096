package session

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/plugins/sdk"
)

// TestBenchHooks: TEND_BENCH_RECORD records what a real host ran; with
// TEND_BENCH_REPLAY every host, an SSH one that does not exist too, answers
// from that recording instead of being reached.
func TestBenchHooks(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "rec.json")
	cmd := sdk.Cmd{Argv: []string{"sh", "-c", "echo scanned; echo warn >&2; exit 3"}}
	t.Setenv(envRecord, rec)
	var live transports
	r, err := live.runner(&config.Host{Name: "here", Transport: config.TransportLocal})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background(), cmd)
	if err != nil || string(res.Stdout) != "scanned\n" || res.ExitCode != 3 {
		t.Fatalf("live run = %+v, %v", res, err)
	}
	live.close()

	t.Setenv(envRecord, "")
	t.Setenv(envReplay, rec)
	t.Setenv(envReplayDelay, "1ms")
	var replayed transports
	for _, name := range []string{"far_1", "far_2"} {
		r, err := replayed.runner(&config.Host{Name: name, Transport: config.TransportSSH, Address: "far.invalid"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Run(context.Background(), cmd)
		if err != nil || string(res.Stdout) != "scanned\n" || string(res.Stderr) != "warn\n" || res.ExitCode != 3 {
			t.Errorf("%s: replayed = %+v, %v", name, res, err)
		}
		if _, err := r.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}}); err == nil || !strings.Contains(err.Error(), "not in the recording") {
			t.Errorf("%s: a command never recorded: %v", name, err)
		}
	}
	replayed.close()

	t.Setenv(envReplayDelay, "soon")
	var bad transports
	if _, err := bad.runner(&config.Host{Name: "x", Transport: config.TransportLocal}); err == nil || !strings.Contains(err.Error(), envReplayDelay) {
		t.Errorf("a bad delay: %v", err)
	}
}
