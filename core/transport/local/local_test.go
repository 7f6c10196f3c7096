package local

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
)

func TestRun(t *testing.T) {
	ctx := context.Background()
	r := Runner{}
	res, err := r.Run(ctx, sdk.Cmd{Argv: []string{"sh", "-c", "cat; echo err >&2; echo $FOO; exit 3"}, Stdin: []byte("in\n"), Env: []string{"FOO=bar"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "in\nbar\n" || string(res.Stderr) != "err\n" || res.ExitCode != 3 {
		t.Errorf("result = %q %q %d", res.Stdout, res.Stderr, res.ExitCode)
	}
	if _, err := sdk.Check(ctx, r, sdk.Cmd{Argv: []string{"false"}}); err == nil || !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("Check(false) = %v", err)
	}
	if _, err := r.Run(ctx, sdk.Cmd{Argv: []string{"sleep", "300"}, Timeout: 50 * time.Millisecond}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: err = %v", err)
	}
	if _, err := r.Run(ctx, sdk.Cmd{Argv: []string{"/no/such/program"}}); err == nil {
		t.Error("missing program: want error")
	}
	if _, err := r.Run(ctx, sdk.Cmd{}); err == nil {
		t.Error("empty argv: want error")
	}
}
