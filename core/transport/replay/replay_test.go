package replay

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/transport/local"
	"github.com/tend-sh/tend/plugins/sdk"
)

// TestRecordAndReplay: real commands recorded through the local transport
// are answered the same from the saved recording, after the delay, a
// command asked again with a new answer in order.
func TestRecordAndReplay(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	cmds := []sdk.Cmd{
		{Argv: []string{"sh", "-c", "echo out; echo err >&2; exit 3"}},
		{Argv: []string{"cat"}, Stdin: []byte("from stdin\n")},
		{Argv: []string{"sh", "-c", "echo $GREETING"}, Env: []string{"GREETING=hello"}},
		{Argv: []string{"sh", "-c", "cat " + state + " 2>/dev/null || echo none"}},
		{Argv: []string{"sh", "-c", "echo installed > " + state}},
		{Argv: []string{"sh", "-c", "cat " + state + " 2>/dev/null || echo none"}},
	}
	rec := &Recorder{Inner: local.Runner{}}
	var want []sdk.Result
	for _, c := range cmds {
		res, err := rec.Run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, res)
	}
	path := filepath.Join(dir, "host.json")
	if err := rec.Recording().Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	const delay = 20 * time.Millisecond
	r := New(loaded, delay)
	for i, c := range cmds {
		start := time.Now()
		got, err := r.Run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < delay {
			t.Errorf("%s answered after %v, before the delay of %v", c, waited, delay)
		}
		if string(got.Stdout) != string(want[i].Stdout) || string(got.Stderr) != string(want[i].Stderr) || got.ExitCode != want[i].ExitCode {
			t.Errorf("%s = %+v, recorded %+v", c, got, want[i])
		}
	}
	if string(want[0].Stderr) != "err\n" || want[0].ExitCode != 3 || string(want[1].Stdout) != "from stdin\n" ||
		string(want[2].Stdout) != "hello\n" || string(want[3].Stdout) != "none\n" || string(want[5].Stdout) != "installed\n" {
		t.Errorf("recorded %+v: the commands did not run for real", want)
	}
	// Asked once more than recorded: the last answer again.
	if got, _ := r.Run(context.Background(), cmds[3]); string(got.Stdout) != "installed\n" {
		t.Errorf("asked again: %q, want the last answer", got.Stdout)
	}
}

func TestReplayErrors(t *testing.T) {
	r := New(&Recording{Commands: []Entry{{Argv: []string{"true"}}}}, time.Hour)
	if _, err := r.Run(context.Background(), sdk.Cmd{Argv: []string{"false"}}); err == nil || !strings.Contains(err.Error(), "false is not in the recording") {
		t.Errorf("unrecorded command: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Run(ctx, sdk.Cmd{Argv: []string{"true"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled during the delay: err = %v", err)
	}
	if _, err := r.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}, Timeout: time.Millisecond}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout shorter than the delay: err = %v", err)
	}
}
