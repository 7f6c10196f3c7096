package gitsource

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHTTPSTokenRoundTrip fetches and pushes over HTTPS with a token,
// against git's own smart-HTTP server (git http-backend behind a TLS test
// server that demands the token as basic auth). The test CA reaches Go's
// verifier through SSL_CERT_FILE, as an internal CA would in production.
func TestHTTPSTokenRoundTrip(t *testing.T) {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skip(err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skip(err)
	}
	f := newFixture(t)
	c1 := f.commit(map[string]string{"main.tend.hcl": "1\n"})
	f.push("main")
	runGit(t, f.upstream, "config", "http.receivepack", "true")

	const token = "glpat-test-token"
	git := &cgi.Handler{Path: backend, Env: []string{"GIT_PROJECT_ROOT=" + filepath.Dir(f.upstream), "GIT_HTTP_EXPORT_ALL=1",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull}}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "oauth2" || pass != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		git.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", ca)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url := srv.URL + "/" + filepath.Base(f.upstream)
	s := f.open(Options{URL: url, TokenFile: tokenFile, TokenUser: "oauth2"})
	f.roundTrip(s, c1, "https")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A wrong token is refused, and the error does not show it.
	if err := os.WriteFile(tokenFile, []byte("wrong-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = s.Fetch(ctx)
	if err == nil || strings.Contains(err.Error(), "wrong-token") || strings.Contains(err.Error(), token) {
		t.Fatalf("Fetch with a wrong token: %v", err)
	}
	t.Logf("wrong token: %v", err)
}
