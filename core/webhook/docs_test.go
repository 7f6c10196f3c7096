package webhook

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// TestOperationsExample runs the generic-sender example of
// docs/operations.md, as written, against a Handler: a signed push the
// handler accepts (curl -f fails on anything but 2xx) and turns into a
// reconcile of the right commit. Only the address is replaced.
func TestOperationsExample(t *testing.T) {
	for _, tool := range []string{"sh", "git", "openssl", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	script := docExample(t, string(doc), "X-Tend-Signature")

	var mu sync.Mutex
	var pushes []Push
	h := &Handler{Secret: []byte("s3cret"), Branch: "main", Trigger: func(p Push) {
		mu.Lock()
		defer mu.Unlock()
		pushes = append(pushes, p)
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/webhook" {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	script = strings.ReplaceAll(script, "http://tend.internal:8080", srv.URL)

	dir := t.TempDir()
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"commit", "-q", "--allow-empty", "-m", "config"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "webhook-secret"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-e", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "no_proxy=*", "NO_PROXY=*") // loopback only, whatever proxy the machine has
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the documented example failed: %v\n%s\nscript:\n%s", err, out, script)
	}
	head, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(pushes) != 1 || pushes[0].After != strings.TrimSpace(string(head)) {
		t.Fatalf("pushes = %+v, want one of %s", pushes, head)
	}
}

// docExample returns the first ```sh block of doc that mentions marker.
func docExample(t *testing.T, doc, marker string) string {
	t.Helper()
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(doc, -1) {
		if strings.Contains(m[1], marker) {
			return m[1]
		}
	}
	t.Fatalf("no sh example mentioning %s", marker)
	return ""
}
