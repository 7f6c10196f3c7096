package apply

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/transport/local"
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
			err := checkHealth(context.Background(), tc.checks, nil, local.Runner{}, srv.Client())
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

// TestHealthURLForHost: an http check of a multi-host policy names each
// host's address in its url (${host.address}, filled in per host; local
// hosts are localhost), checked at load (issue 18, item 19).
func TestHealthURLForHost(t *testing.T) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.Host+r.URL.Path)
	}))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	src := `host "web_1" {
  address = "127.0.0.1"
}
host "web_2" {
  transport = "local"
}
policy "web" {
  provider = "apt"
  targets  = [host.web_1, host.web_2]
  approve {}
  health_check "http" {
    url = "http://${host.address}:PORT/healthz/${host.name}"
  }
}
`
	cfg, diags := config.LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(strings.ReplaceAll(src, "PORT", port))}, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	checks := cfg.Policies["web"].Health
	if got, want := checks[0].URL, "http://${host.address}:"+port+"/healthz/${host.name}"; got != want {
		t.Errorf("URL as written = %q, want %q", got, want)
	}
	for _, h := range []string{"web_1", "web_2"} {
		if err := checkHealth(context.Background(), checks, cfg.Hosts[h], local.Runner{}, srv.Client()); err != nil {
			t.Errorf("%s: %v", h, err)
		}
	}
	want := []string{"127.0.0.1:" + port + "/healthz/web_1", "localhost:" + port + "/healthz/web_2"}
	if strings.Join(asked, " ") != strings.Join(want, " ") {
		t.Errorf("requests %v, want %v", asked, want)
	}
}
