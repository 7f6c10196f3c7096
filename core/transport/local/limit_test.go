//go:build unix

package local

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/transport"
	"github.com/tend-sh/tend/core/transport/proctest"
	"github.com/tend-sh/tend/plugins/sdk"
)

// TestOutputLimit runs real commands that print far more than the limit
// (a host whose /etc/os-release never ends, say): Run fails with an
// *transport.OutputLimitError naming the command and the stream, instead
// of buffering all of it, and the command is gone.
func TestOutputLimit(t *testing.T) {
	tests := []struct {
		name, script, stream string
		limit                int
	}{
		{"stdout", `echo $$ > "$1"; exec head -c 200000000 /dev/zero`, "stdout", transport.MaxStdout},
		{"stderr", `echo $$ > "$1"; exec head -c 200000000 /dev/zero >&2`, "stderr", transport.MaxStderr},
		// The writer is a child of the command: killing the command is not
		// enough, its pipe must be closed too.
		{"grandchild", `yes & echo $! > "$1"; wait`, "stdout", transport.MaxStdout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			ctx, cancel := context.WithTimeout(context.Background(), proctest.Timeout(t))
			defer cancel()
			res, err := Runner{}.Run(ctx, sdk.Cmd{Argv: []string{"sh", "-c", tt.script, "sh", pidFile}})
			var le *transport.OutputLimitError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v (%d bytes of stdout, %d of stderr); want an *transport.OutputLimitError", err, len(res.Stdout), len(res.Stderr))
			}
			if le.Stream != tt.stream || le.Limit != tt.limit || !errors.Is(err, transport.ErrOutputLimit) {
				t.Errorf("error = %+v; want stream %s, limit %d", le, tt.stream, tt.limit)
			}
			for _, want := range []string{"local: sh -c ", "printed more than", tt.stream} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if len(res.Stdout) > transport.MaxStdout || len(res.Stderr) > transport.MaxStderr {
				t.Errorf("kept %d bytes of stdout and %d of stderr, more than the limits", len(res.Stdout), len(res.Stderr))
			}
			proctest.WaitGone(t, proctest.WaitPidFile(t, pidFile), "the command printing without end")
		})
	}
	// Output up to the limit is no error.
	res, err := Runner{}.Run(context.Background(), sdk.Cmd{Argv: []string{"head", "-c", "1048576", "/dev/zero"}})
	if err != nil || len(res.Stdout) != 1<<20 {
		t.Errorf("1 MiB of output: %d bytes, err %v", len(res.Stdout), err)
	}
}
