package apply

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/transport/local"
	"github.com/tend-sh/tend/plugins/sdk"
)

func TestCheckHealth(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/down" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	cmd := func(argv ...string) *config.HealthCheck { return &config.HealthCheck{Type: "command", Argv: argv} }
	get := func(path string) *config.HealthCheck {
		return &config.HealthCheck{Type: "http", URL: srv.URL + path, ExpectStatus: 200}
	}
	for _, tc := range []struct {
		name   string
		checks []*config.HealthCheck
		want   string // "" for healthy, else a substring of the error
	}{
		{"none", nil, ""},
		{"command ok", []*config.HealthCheck{cmd("true")}, ""},
		{"command fails", []*config.HealthCheck{cmd("sh", "-c", "echo nginx is down >&2; exit 3")}, "nginx is down"},
		{"command missing", []*config.HealthCheck{cmd("/nonexistent/check")}, "no such file"},
		{"http ok", []*config.HealthCheck{get("/up")}, ""},
		{"http status", []*config.HealthCheck{get("/down")}, "status 503, want 200"},
		{"first failure wins", []*config.HealthCheck{get("/up"), cmd("false"), get("/down")}, `command "false"`},
		{"timeout", []*config.HealthCheck{{Type: "command", Argv: []string{"sleep", "5"}, Timeout: 50 * time.Millisecond}}, "deadline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkHealth(context.Background(), tc.checks, local.Runner{}, srv.Client())
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unhealthy: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			case tc.want != "":
				var he *HealthError
				if !errors.As(err, &he) {
					t.Fatalf("err is %T, want *HealthError", err)
				}
			}
		})
	}
}

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
