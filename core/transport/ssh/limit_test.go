//go:build unix

package ssh

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/transport"
	"github.com/tend-sh/tend/core/transport/proctest"
	"github.com/tend-sh/tend/core/transport/ssh/sshtest"
	"github.com/tend-sh/tend/plugins/sdk"
)

// TestOutputLimit runs commands that print far more than the limit on a
// real sshd: Run fails with an *transport.OutputLimitError naming the host
// and the command, the remote command is gone (the sshd runs on this
// machine, so its pid can be watched), and the connection still serves
// the next command.
func TestOutputLimit(t *testing.T) {
	s := sshtest.Start(t)
	c, _ := newClient(t, options(s))
	tests := []struct {
		name, script, stream string
		limit                int
	}{
		{"stdout", `echo $$ > "$1"; exec head -c 200000000 /dev/zero`, "stdout", transport.MaxStdout},
		{"stderr", `echo $$ > "$1"; exec head -c 200000000 /dev/zero >&2`, "stderr", transport.MaxStderr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			ctx, cancel := context.WithTimeout(context.Background(), proctest.Timeout(t))
			defer cancel()
			res, err := c.Run(ctx, sdk.Cmd{Argv: []string{"sh", "-c", tt.script, "sh", pidFile}})
			var le *transport.OutputLimitError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v (%d bytes of stdout, %d of stderr); want an *transport.OutputLimitError", err, len(res.Stdout), len(res.Stderr))
			}
			if le.Stream != tt.stream || le.Limit != tt.limit {
				t.Errorf("error = %+v; want stream %s, limit %d", le, tt.stream, tt.limit)
			}
			for _, want := range []string{s.User + "@127.0.0.1:", "sh -c ", "printed more than", tt.stream} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if len(res.Stdout) > transport.MaxStdout || len(res.Stderr) > transport.MaxStderr {
				t.Errorf("kept %d bytes of stdout and %d of stderr, more than the limits", len(res.Stdout), len(res.Stderr))
			}
			proctest.WaitGone(t, proctest.WaitPidFile(t, pidFile), "the remote command printing without end")
			if res := run(t, c, sdk.Cmd{Argv: []string{"echo", "ok"}}); string(res.Stdout) != "ok\n" {
				t.Fatalf("stdout after the limit = %q", res.Stdout)
			}
		})
	}
}
