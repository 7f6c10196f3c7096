package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/notify/notifytest"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestServeOnceSendsNotifications: tend serve --once sends what its
// reconcile queued before it exits (a rejected commit, announced by the
// last good configuration's signed webhook), and logs neither the URL nor
// the secret.
func TestServeOnceSendsNotifications(t *testing.T) {
	bare, _ := serveLab(t, apttest.Options{Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}}})
	hook := notifytest.NewReceiver(t)
	t.Setenv("TEST_SERVE_HOOK_URL", hook.URL())
	t.Setenv("TEST_SERVE_HOOK_SECRET", "serve-s3cret")
	work := t.TempDir()
	gitRun(t, "", "clone", "-q", bare, work)
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(work, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("notify.tend.hcl", `notify "ops" {
  type       = "webhook"
  url_env    = "TEST_SERVE_HOOK_URL"
  secret_env = "TEST_SERVE_HOOK_SECRET"
}
`)
	gitRun(t, work, "add", "-A")
	gitRun(t, work, "commit", "-q", "-m", "tell ops")
	gitRun(t, work, "push", "-q", "origin", "main")
	state := t.TempDir()
	args := []string{"serve", "--once", "--repo", "file://" + bare, "--state-dir", state}
	if code, out, errOut := tend(t, args...); code != 0 {
		t.Fatalf("serve --once: exit %d\n%s%s", code, out, errOut)
	}
	if n := len(hook.Requests()); n != 0 {
		t.Fatalf("%d notifications for a healthy fleet", n)
	}

	write("broken.tend.hcl", "policy \"x\" {\n")
	gitRun(t, work, "add", "-A")
	gitRun(t, work, "commit", "-q", "-m", "broken")
	gitRun(t, work, "push", "-q", "origin", "main")
	code, out, errOut := tend(t, append(args, "--log-level", "debug")...)
	if code != 1 {
		t.Fatalf("serve --once on a broken head: exit %d\n%s%s", code, out, errOut)
	}
	reqs := hook.Requests() // sent before serve returned: no waiting
	if len(reqs) != 1 || !strings.Contains(string(reqs[0].Body), `"kind":"config_rejected"`) ||
		!strings.Contains(string(reqs[0].Body), "broken.tend.hcl:") || reqs[0].Header.Get("X-Hub-Signature-256") == "" {
		t.Fatalf("requests: %+v", reqs)
	}
	if strings.Contains(errOut, hook.URL()) || strings.Contains(errOut, "serve-s3cret") {
		t.Errorf("a secret is in the logs:\n%s", errOut)
	}
	if files, _ := filepath.Glob(filepath.Join(state, "notify", "outbox", "*.json")); len(files) != 0 {
		t.Errorf("outbox not empty: %v", files)
	}
}
