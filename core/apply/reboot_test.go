package apply

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
)

// bootRunner answers boot id reads from a script of states.
type bootRunner struct {
	mu     sync.Mutex
	states []string // "" = unreachable
	calls  int
}

func (b *bootRunner) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.states[min(b.calls, len(b.states)-1)]
	b.calls++
	if s == "" {
		return sdk.Result{}, errors.New("connection refused")
	}
	return sdk.Result{Stdout: []byte(s + "\n")}, nil
}

func TestWaitForReboot(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before string
		states []string
		calls  int // attempts until it returns; 0: times out
	}{
		{"new boot id", "a", []string{"a", "a", "", "", "b"}, 5},
		{"back before noticed down", "a", []string{"a", "b"}, 2},
		{"no boot id: down then up", "", []string{"?", "", "?"}, 3},
		{"never comes back", "a", []string{"a", ""}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &bootRunner{states: tc.states}
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
