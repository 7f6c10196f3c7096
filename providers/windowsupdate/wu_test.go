package windowsupdate_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/windowsupdate"
	"github.com/tend-sh/tend/providers/windowsupdate/wuhost"
)

// recorder is a runner that records every command before passing it on.
type recorder struct {
	mu   sync.Mutex
	next sdk.Runner
	cmds []sdk.Cmd
}

func (r *recorder) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	r.mu.Lock()
	r.cmds = append(r.cmds, c)
	r.mu.Unlock()
	return r.next.Run(ctx, c)
}

// runnerFunc answers commands with a function.
type runnerFunc func(sdk.Cmd) (sdk.Result, error)

func (f runnerFunc) Run(_ context.Context, c sdk.Cmd) (sdk.Result, error) { return f(c) }

// host loads testdata/hosts/NAME.json.
func host(t *testing.T, name string) *wuhost.State {
	t.Helper()
	s, err := wuhost.Load(filepath.Join("testdata", "hosts", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// scriptOf names the provider script a powershell.exe command runs, or
// returns the command's argv.
func scriptOf(t *testing.T, c sdk.Cmd) string {
	t.Helper()
	want := []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"}
	if len(c.Argv) != len(want)+1 || strings.Join(c.Argv[:len(want)], " ") != strings.Join(want, " ") {
		return strings.Join(c.Argv, " ")
	}
	switch c.Argv[len(want)] {
	case encoded(windowsupdate.ScanScript):
		return "scan.ps1"
	case encoded(windowsupdate.ApplyScript):
		return "apply.ps1"
	}
	t.Errorf("powershell.exe runs an encoded script that is not one of the provider's")
	return "?"
}
