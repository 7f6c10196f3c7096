package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/gitsource"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/plugins/lockfile"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// lab is a configuration repository (a work tree pushing to a bare
// "upstream") whose config points at a hermetic apt root, and a state dir.
type lab struct {
	t             testing.TB
	bare, work    string
	root          *apttest.Root
	state         string
	log           *logrus.Logger
	logs          *syncWriter
	reportsBranch string
}

// isolateGit keeps the machine's and user's Git configuration out.
func isolateGit(t testing.TB) {
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(t.TempDir(), "gitconfig"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for k, v := range map[string]string{"GIT_AUTHOR_NAME": "Ops", "GIT_AUTHOR_EMAIL": "ops@example.com",
		"GIT_COMMITTER_NAME": "Ops", "GIT_COMMITTER_EMAIL": "ops@example.com"} {
		t.Setenv(k, v)
	}
}

func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// policyConf is the lab's configuration with the given policy body.
func policyConf(root, body string) string {
	return fmt.Sprintf(`provider "apt" {
  root = %q
}
host "lab" {
  transport = "local"
}
policy "security_only" {
  provider = "apt"
  targets  = [host.lab]
  reboot   = "never"
%s
}
`, root, body)
}

const securityOnly = `  approve {
    classification = ["security"]
  }`

func newLab(t testing.TB, opts apttest.Options) *lab {
	t.Helper()
	if err := apttest.Available(); err != nil {
		t.Skip(err)
	}
	isolateGit(t)
	loadertest.Install(t, "apt", "github.com/tend-sh/tend/providers/apt/cmd/tend-provider-apt")
	root, err := apttest.Create(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	l := &lab{t: t, bare: filepath.Join(t.TempDir(), "upstream.git"), work: t.TempDir(), root: root,
		state: t.TempDir(), reportsBranch: config.DefaultReportsBranch}
	l.logs = &syncWriter{}
	l.log = logrus.New()
	l.log.SetOutput(l.logs)
	l.log.SetLevel(logrus.DebugLevel)
	git(t, "", "init", "-q", "--bare", "-b", "main", l.bare)
	git(t, l.work, "init", "-q", "-b", "main")
	git(t, l.work, "remote", "add", "origin", l.bare)
	l.write("patching/lab.tend.hcl", policyConf(root.Dir, securityOnly))
	// The lock file is committed beside the configuration.
	cfg, diags := config.Load(filepath.Join(l.work, "patching"))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if _, err := lockfile.Init(context.Background(), cfg, l.log); err != nil {
		t.Fatal(err)
	}
	l.commit("patching policy")
	return l
}

func (l *lab) write(name, content string) {
	l.t.Helper()
	p := filepath.Join(l.work, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		l.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		l.t.Fatal(err)
	}
}

// commit commits the work tree, pushes it and returns the commit.
func (l *lab) commit(msg string, extra ...string) string {
	l.t.Helper()
	git(l.t, l.work, "add", "-A")
	git(l.t, l.work, append([]string{"commit", "-q", "-m", msg}, extra...)...)
	git(l.t, l.work, "push", "-q", "origin", "main")
	return git(l.t, l.work, "rev-parse", "HEAD")
}

// daemon opens a daemon on the lab's repository and state dir.
func (l *lab) daemon(mod ...func(*Options)) *Daemon {
	l.t.Helper()
	o := Options{Git: gitsource.Options{URL: "file://" + l.bare, Branch: "main", Path: "patching"}, StateDir: l.state, Log: l.log}
	for _, m := range mod {
		m(&o)
	}
	d, err := New(o)
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { d.Close() })
	return d
}

func (l *lab) reconcile(d *Daemon) *Outcome {
	l.t.Helper()
	out, err := d.Reconcile(context.Background(), plumbing.ZeroHash)
	if err != nil {
		l.t.Fatalf("reconcile: %v\nlogs:\n%s", err, l.logs)
	}
	return out
}

// reports reads a file of the upstream reports branch.
func (l *lab) reports(path string) string {
	l.t.Helper()
	return git(l.t, l.bare, "show", l.reportsBranch+":"+path)
}

func (l *lab) reportsJSON(path string, v any) {
	l.t.Helper()
	if err := json.Unmarshal([]byte(l.reports(path)), v); err != nil {
		l.t.Fatalf("%s: %v", path, err)
	}
}

func (l *lab) reportsHead() string {
	l.t.Helper()
	return git(l.t, l.bare, "rev-parse", l.reportsBranch)
}

// syncWriter collects logs written from many goroutines (provider log
// pumps included) and reads them back under the same lock.
type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
