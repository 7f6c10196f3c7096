package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tend-sh/tend/providers/apt/apttest"
)

// gitRun runs git in dir with the machine's and user's configuration kept
// out.
func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ops", "GIT_AUTHOR_EMAIL=ops@example.com", "GIT_COMMITTER_NAME=Ops", "GIT_COMMITTER_EMAIL=ops@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// publishConfig makes conf a Git repository with one commit of all its
// files and pushes it to a new bare repository, whose path it returns.
func publishConfig(t *testing.T, conf, message string) string {
	t.Helper()
	bare := filepath.Join(t.TempDir(), "patching.git")
	gitRun(t, "", "init", "-q", "--bare", "-b", "main", bare)
	gitRun(t, conf, "init", "-q", "-b", "main")
	gitRun(t, conf, "add", "-A")
	gitRun(t, conf, "commit", "-q", "-m", message)
	gitRun(t, conf, "push", "-q", bare, "main")
	return bare
}

// buildTend builds this package's tend binary for tests that run it as a
// process of its own, and returns its path.
func buildTend(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tend")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building tend: %v\n%s", err, out)
	}
	return bin
}

// startServe starts serve (a tend serve command) with its output in the
// buffer returned. When the test ends it is stopped with SIGTERM (killed
// after patience), and its log printed if the test failed.
func startServe(t *testing.T, serve *exec.Cmd) *syncBuffer {
	t.Helper()
	serveLog := &syncBuffer{}
	serve.Stdout, serve.Stderr = serveLog, serveLog
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	serveDone := make(chan struct{})
	go func() { _ = serve.Wait(); close(serveDone) }()
	t.Cleanup(func() {
		_ = serve.Process.Signal(syscall.SIGTERM)
		select {
		case <-serveDone:
		case <-time.After(patience):
			_ = serve.Process.Kill()
		}
		if t.Failed() {
			t.Logf("tend serve log:\n%s", serveLog.String())
		}
	})
	return serveLog
}

// serveLab is an apt lab whose configuration (with its lock file) is the
// root of a repository pushed to a bare upstream, which it returns.
func serveLab(t *testing.T, opts apttest.Options) (bare string, root *apttest.Root) {
	t.Helper()
	return serveLabPolicy(t, opts, "approve {\n    classification = [\"security\"]\n  }")
}

// serveLabPolicy is serveLab with the policy's rules given.
func serveLabPolicy(t *testing.T, opts apttest.Options, rules string) (bare string, root *apttest.Root) {
	t.Helper()
	conf, root := aptLabPolicy(t, opts, rules)
	if code, out, errOut := tend(t, "init", "-C", conf); code != 0 {
		t.Fatalf("init: %d\n%s%s", code, out, errOut)
	}
	bare = publishConfig(t, conf, "policy")
	return bare, root
}

func TestServeOnce(t *testing.T) {
	bare, root := serveLab(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}, {Name: "tzdata", Version: "2025a-1"}},
		Stable:    []apttest.Pkg{{Name: "tzdata", Version: "2025b-1"}},
		Security:  []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2"}},
	})
	state := t.TempDir()
	args := []string{"serve", "--once", "--repo", "file://" + bare, "--state-dir", state}
	code, out, errOut := tend(t, args...)
	if code != 0 || !strings.Contains(errOut, "msg=reconciled") {
		t.Fatalf("serve --once: exit %d\n%s%s", code, out, errOut)
	}
	if got := root.Installed(t); got["openssl"] != "3.0.20-2" || got["tzdata"] != "2025a-1" {
		t.Fatalf("installed: %v", got)
	}
	if rep := gitRun(t, bare, "show", "tend/reports:hosts/lab/report.json"); !strings.Contains(rep, `"state": "compliant"`) {
		t.Fatalf("report.json:\n%s", rep)
	}
	// tend history reads the apply back from the branch, with the
	// configuration commit's author and subject (the same repository).
	code, out, errOut = tend(t, "-C", bare, "history", "--ref", "tend/reports")
	if code != 0 || !regexp.MustCompile(`(?m)^\S+ +lab +upgraded +apt/openssl +3\.0\.20-1 → 3\.0\.20-2 +security_only +[0-9a-f]{12} \S`).MatchString(out) {
		t.Fatalf("tend history: exit %d\n%s%s", code, out, errOut)
	}
	head := gitRun(t, bare, "rev-parse", "tend/reports")
	if code, out, errOut := tend(t, args...); code != 0 || !strings.Contains(errOut, "committed=false") {
		t.Fatalf("second serve --once: exit %d\n%s%s", code, out, errOut)
	}
	if got := gitRun(t, bare, "rev-parse", "tend/reports"); got != head {
		t.Fatalf("the second --once committed %s", got)
	}
	// --html commits the HTML report with the next change of the reports,
	// removing the pages an earlier one listed in html/.tend-pages that it
	// no longer makes (a host gone), never a page it did not list.
	work := filepath.Join(t.TempDir(), "work")
	gitRun(t, "", "clone", "-q", "-b", "tend/reports", bare, work)
	for name, body := range map[string]string{"html/.tend-pages": "index.html\nhosts/gone.html\n", "html/hosts/gone.html": "gone", "html/notes.html": "ours"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(work, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, work, "add", "-A")
	gitRun(t, work, "commit", "-q", "-m", "an older HTML report")
	gitRun(t, work, "push", "-q", "origin", "tend/reports")
	root.Publish(t, apttest.Security, apttest.Pkg{Name: "openssl", Version: "3.0.20-3"})
	root.Update(t)
	if code, out, errOut := tend(t, append(args, "--html")...); code != 0 || !strings.Contains(errOut, "committed=true") {
		t.Fatalf("serve --once --html: exit %d\n%s%s", code, out, errOut)
	}
	index := gitRun(t, bare, "show", "tend/reports:html/index.html")
	for _, want := range []string{`<span data-metric="compliance_percent">100.0%</span>`, "2 reconciles", `href="hosts/lab.html"`} {
		if !strings.Contains(index, want) {
			t.Errorf("html/index.html lacks %q:\n%s", want, index)
		}
	}
	if host := gitRun(t, bare, "show", "tend/reports:html/hosts/lab.html"); !strings.Contains(host, "3.0.20-3") {
		t.Errorf("html/hosts/lab.html lacks the new openssl:\n%s", host)
	}
	html := gitRun(t, bare, "ls-tree", "-r", "--name-only", "tend/reports", "html")
	if strings.Contains(html, "html/hosts/gone.html") || !strings.Contains(html, "html/notes.html") || !strings.Contains(html, "html/.tend-pages") {
		t.Errorf("html/ on the branch should have lost hosts/gone.html only:\n%s", html)
	}
	if manifest := gitRun(t, bare, "show", "tend/reports:html/.tend-pages"); !strings.Contains(manifest, "hosts/lab.html") || strings.Contains(manifest, "gone") {
		t.Errorf("html/.tend-pages:\n%s", manifest)
	}
	// --log-format json: one object per line.
	code, _, errOut = tend(t, append(args, "--log-format", "json")...)
	if code != 0 || !strings.Contains(errOut, `"msg":"reconciled"`) {
		t.Fatalf("--log-format json: exit %d\n%s", code, errOut)
	}
}

// TestServeGracefulShutdown: SIGTERM during an apply lets the running
// action finish, writes the reports and exits 0.
func TestServeGracefulShutdown(t *testing.T) {
	bare, root := serveLab(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}},
		Security:  []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2", Postinst: "sleep 2"}},
	})
	bin := buildTend(t)
	state := t.TempDir()
	cmd := exec.Command(bin, "serve", "--repo", "file://"+bare, "--state-dir", state, "--interval", "1h",
		"--metrics-addr", "127.0.0.1:0")
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	journal := filepath.Join(state, "journal", "journal.jsonl")
	for deadline := time.Now().Add(60 * time.Second); ; {
		if b, _ := os.ReadFile(journal); strings.Contains(string(b), `"intent"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no apply started\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("tend serve after SIGTERM: %v\n%s", err, logs.String())
	}
	if got := root.Installed(t)["openssl"]; got != "3.0.20-2" {
		t.Fatalf("openssl = %s: the running action did not finish\n%s", got, logs.String())
	}
	rep := gitRun(t, bare, "show", "tend/reports:hosts/lab/report.json")
	if !strings.Contains(rep, `"status": "succeeded"`) || !strings.Contains(logs.String(), "shutting down") {
		t.Fatalf("report.json:\n%s\nlogs:\n%s", rep, logs.String())
	}
}

// TestServeOnceRejectedPushKeepsFailure: cron mode, where every run is a
// new process. The first run's reports push is refused by the server; the
// next run still reports that run's failed health check in report.json and
// SUMMARY.md.
func TestServeOnceRejectedPushKeepsFailure(t *testing.T) {
	bare, _ := serveLabPolicy(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}},
		Security:  []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2"}},
	}, `approve {
    classification = ["security"]
  }
  health_check "command" {
    argv = ["sh", "-c", "echo service down >&2; exit 1"]
  }`)
	hook := filepath.Join(bare, "hooks", "pre-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'reports branch is frozen' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"serve", "--once", "--repo", "file://" + bare, "--state-dir", t.TempDir()}
	if code, out, errOut := tend(t, args...); code != 1 || !strings.Contains(errOut, "report") {
		t.Fatalf("serve --once with the push refused: exit %d\n%s%s", code, out, errOut)
	}
	if err := os.Remove(hook); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := tend(t, args...); code != 0 {
		t.Fatalf("second serve --once: exit %d\n%s%s", code, out, errOut)
	}
	rep := gitRun(t, bare, "show", "tend/reports:hosts/lab/report.json")
	if !strings.Contains(rep, `"action_id": "lab/apt/health_check"`) || !strings.Contains(rep, "service down") {
		t.Fatalf("report.json lost the first run's apply:\n%s", rep)
	}
	if md := gitRun(t, bare, "show", "tend/reports:SUMMARY.md"); !strings.Contains(md, "service down") {
		t.Fatalf("SUMMARY.md lost the failure:\n%s", md)
	}
}

// TestServeSecondDaemonRefused: a second tend serve on a running one's
// state dir exits with an error naming the first one's pid, and the first
// keeps its origin.
func TestServeSecondDaemonRefused(t *testing.T) {
	bare, _ := serveLab(t, apttest.Options{Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}}})
	bin := buildTend(t)
	state := t.TempDir()
	first := exec.Command(bin, "serve", "--repo", "file://"+bare, "--state-dir", state, "--interval", "1h")
	var logs syncBuffer
	first.Stdout, first.Stderr = &logs, &logs
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = first.Process.Signal(syscall.SIGTERM)
		_ = first.Wait()
	}()
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(logs.String(), "msg=reconciled"); {
		if time.Now().After(deadline) {
			t.Fatalf("the first daemon never reconciled\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	other := filepath.Join(t.TempDir(), "other.git")
	gitRun(t, "", "init", "-q", "--bare", "-b", "main", other)
	second := exec.Command(bin, "serve", "--once", "--repo", "file://"+other, "--state-dir", state)
	out, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "in use by another process") ||
		!strings.Contains(string(out), fmt.Sprintf("(pid %d)", first.Process.Pid)) {
		t.Fatalf("second tend serve: %v\n%s", err, out)
	}
	if got := gitRun(t, filepath.Join(state, "repo.git"), "config", "remote.origin.url"); got != "file://"+bare {
		t.Fatalf("the second daemon changed the first one's origin to %s", got)
	}
}

// syncBuffer collects a child's output written from two pipes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
