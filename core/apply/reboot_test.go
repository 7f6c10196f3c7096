package apply

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
)

// bootRunner answers boot id reads from a script of states, one per
// probe (a probe starts with cat): a Linux host (cat answers), or with
// windows a Windows host (cat is not recognised, powershell.exe answers).
type bootRunner struct {
	mu      sync.Mutex
	states  []string // "" = unreachable
	calls   int
	cur     string
	windows bool
}

func (b *bootRunner) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c.Argv[0] == "cat" {
		b.cur = b.states[min(b.calls, len(b.states)-1)]
		b.calls++
	}
	switch {
	case b.cur == "":
		return sdk.Result{}, errors.New("connection refused")
	case b.windows == (c.Argv[0] == "cat"):
		// The other system's command: not found, or no such file.
		return sdk.Result{ExitCode: 1, Stderr: []byte("'cat' is not recognized as an internal or external command")}, nil
	}
	return sdk.Result{Stdout: []byte(b.cur + "\n")}, nil
}

func TestWaitForReboot(t *testing.T) {
	for _, tc := range []struct {
		name    string
		before  string
		states  []string
		calls   int // attempts until it returns; 0: times out
		windows bool
	}{
		{"new boot id", "a", []string{"a", "a", "", "", "b"}, 5, false},
		{"back before noticed down", "a", []string{"a", "b"}, 2, false},
		{"no boot id: down then up", "", []string{"?", "", "?"}, 3, false},
		{"never comes back", "a", []string{"a", ""}, 0, false},
		{"windows: new boot time", "133729731834845714", []string{"133729731834845714", "", "133729732195512345"}, 3, true},
		{"windows: never comes back", "133729731834845714", []string{"133729731834845714", ""}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &bootRunner{states: tc.states, windows: tc.windows}
			if tc.before == "" {
				// A host without a boot id answers, but not with an id.
				for i, s := range b.states {
					if s == "?" {
						b.states[i] = " "
					}
				}
			}
			err := waitForReboot(context.Background(), b, tc.before, 200*time.Millisecond, time.Millisecond)
			if tc.calls == 0 {
				if !errors.Is(err, ErrRebootTimeout) {
					t.Fatalf("err = %v, want ErrRebootTimeout", err)
				}
				return
			}
			if err != nil || b.calls != tc.calls {
				t.Fatalf("err = %v after %d calls, want nil after %d", err, b.calls, tc.calls)
			}
		})
	}
}
