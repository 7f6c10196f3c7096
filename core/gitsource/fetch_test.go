package gitsource

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

func TestFetch(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  func(upstream string) string
	}{
		{"file URL", func(u string) string { return "file://" + u }},
		{"plain path", func(u string) string { return u }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c1 := f.commit(map[string]string{"main.tend.hcl": "a\n"})
			f.push("main")
			dir := filepath.Join(t.TempDir(), "state", "repo.git")
			s := f.open(Options{URL: tc.url(f.upstream), Dir: dir})
			if s.RepoPath() != dir || s.Remote() != "origin" || s.Auth() != nil {
				t.Fatalf("RepoPath %q, Remote %q, Auth %v", s.RepoPath(), s.Remote(), s.Auth())
			}
			if _, err := s.Head(); err == nil || !strings.Contains(err.Error(), "not been fetched yet") {
				t.Fatalf("Head before fetch: %v", err)
			}
			ctx := context.Background()
			if h, err := s.Fetch(ctx); err != nil || h != c1 {
				t.Fatalf("Fetch = %s, %v; want %s", h, err, c1)
			}
			if h, err := s.Fetch(ctx); err != nil || h != c1 {
				t.Fatalf("second Fetch = %s, %v; want %s (up to date is no error)", h, err, c1)
			}
			c2 := f.commit(map[string]string{"main.tend.hcl": "b\n"})
			f.push("main")
			if h, err := s.Fetch(ctx); err != nil || h != c2 {
				t.Fatalf("Fetch after push = %s, %v; want %s", h, err, c2)
			}
			// Reopening the existing clone keeps what was fetched.
			s2 := f.open(Options{URL: tc.url(f.upstream), Dir: dir})
			if h, err := s2.Head(); err != nil || h != c2 {
				t.Fatalf("Head after reopen = %s, %v; want %s", h, err, c2)
			}
			c, err := s2.Commit(c1)
			if err != nil || c.Hash != c1 {
				t.Fatalf("Commit(%s) = %v, %v", c1, c, err)
			}
			if got := runGit(t, dir, "rev-parse", "--is-bare-repository"); got != "true" {
				t.Errorf("clone is not bare: %s", got)
			}
		})
	}
}

func TestFetchFollowsForcePush(t *testing.T) {
	f := newFixture(t)
	f.commit(map[string]string{"a.tend.hcl": "1\n"})
	f.push("main")
	s := f.open(Options{})
	ctx := context.Background()
	if _, err := s.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	runGit(t, f.work, "commit", "-q", "--amend", "-m", "rewritten")
	runGit(t, f.work, "push", "-q", "-f", "origin", "HEAD:refs/heads/main")
	want := plumbing.NewHash(runGit(t, f.work, "rev-parse", "HEAD"))
	if h, err := s.Fetch(ctx); err != nil || h != want {
		t.Fatalf("Fetch = %s, %v; want %s", h, err, want)
	}
}

func TestOpenFollowsChangedURL(t *testing.T) {
	f := newFixture(t)
	f.commit(map[string]string{"a.tend.hcl": "1\n"})
	f.push("main")
	g := newFixture(t)
	cg := g.commit(map[string]string{"b.tend.hcl": "2\n"})
	g.push("main")

	dir := filepath.Join(t.TempDir(), "repo.git")
	s := f.open(Options{Dir: dir})
	if _, err := s.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	s = g.open(Options{Dir: dir})
	if _, err := s.Head(); err == nil {
		t.Fatal("Head still reports the old repository's branch")
	}
	if h, err := s.Fetch(context.Background()); err != nil || h != cg {
		t.Fatalf("Fetch = %s, %v; want %s", h, err, cg)
	}
	if got := runGit(t, dir, "config", "remote.origin.url"); got != "file://"+g.upstream {
		t.Errorf("remote.origin.url = %s", got)
	}
}

func TestFetchMissingBranch(t *testing.T) {
	f := newFixture(t)
	f.commit(map[string]string{"a.tend.hcl": "1\n"})
	f.push("main")
	s := f.open(Options{Branch: "prod"})
	_, err := s.Fetch(context.Background())
	if !errors.Is(err, ErrBranchNotFound) {
		t.Fatalf("err = %v, want ErrBranchNotFound", err)
	}
	for _, want := range []string{`"prod"`, f.upstream, "does not exist"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestFetchEmptyRepository(t *testing.T) {
	f := newFixture(t)
	s := f.open(Options{})
	_, err := s.Fetch(context.Background())
	if !errors.Is(err, ErrBranchNotFound) || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("err = %v, want ErrBranchNotFound for an empty repository", err)
	}
}

func TestFetchMissingRepository(t *testing.T) {
	isolateGit(t)
	missing := filepath.Join(t.TempDir(), "nothing-here.git")
	s, err := Open(Options{URL: missing, Dir: filepath.Join(t.TempDir(), "repo.git")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Fetch(context.Background())
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), `"main"`) {
		t.Fatalf("err = %v, want one naming %s and the branch", err, missing)
	}
}

func TestOpenRejects(t *testing.T) {
	isolateGit(t)
	notRepo := t.TempDir()
	if err := os.WriteFile(filepath.Join(notRepo, "x"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "repo.git")
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"no URL", Options{Dir: dir}, "no repository URL"},
		{"no dir", Options{URL: "/srv/x.git"}, "no directory"},
		{"dotdot path", Options{URL: "/srv/x.git", Dir: dir, Path: "a/../../b"}, `may not contain ".."`},
		{"absolute path", Options{URL: "/srv/x.git", Dir: dir, Path: "/etc"}, "relative to the repository root"},
		{"bad branch", Options{URL: "/srv/x.git", Dir: dir, Branch: "a..b"}, "invalid branch name"},
		{"dir not a repo", Options{URL: "/srv/x.git", Dir: notRepo}, "not empty and not a Git repository"},
		{"token on local URL", Options{URL: "/srv/x.git", Dir: dir, TokenEnv: "X"}, "do not apply"},
		{"key on https", Options{URL: "https://example.com/x.git", Dir: dir, SSHKeyFile: "k"}, "does not apply to an https URL"},
		{"token over http", Options{URL: "http://example.com/x.git", Dir: dir, TokenEnv: "X"}, "plain http"},
		{"unknown scheme", Options{URL: "ftp://example.com/x.git", Dir: dir}, "unsupported URL scheme"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestWaitForLaterPush(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit(map[string]string{"a.tend.hcl": "1\n"})
	f.push("main")
	s := f.open(Options{})
	if _, err := s.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	c2 := f.commit(map[string]string{"a.tend.hcl": "2\n"})
	c3 := f.commit(map[string]string{"a.tend.hcl": "3\n"})

	pushed := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		out, err := gitCmd(f.work, "push", "-q", "origin", "HEAD:refs/heads/main")
		if err != nil {
			err = errors.New(out)
		}
		pushed <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.WaitFor(ctx, c2); err != nil { // an ancestor of the pushed head
		t.Fatalf("WaitFor: %v", err)
	}
	if err := <-pushed; err != nil {
		t.Fatalf("push: %v", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("WaitFor returned after %v, before the push", d)
	}
	if h, err := s.Head(); err != nil || h != c3 {
		t.Fatalf("Head = %s, %v; want %s", h, err, c3)
	}
	// Already visible: no waiting, no network needed.
	quick, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if err := s.WaitFor(quick, c1); err != nil {
		t.Fatalf("WaitFor(ancestor) = %v", err)
	}
}

func TestWaitForNeverComes(t *testing.T) {
	f := newFixture(t)
	f.commit(map[string]string{"a.tend.hcl": "1\n"})
	f.push("main")
	s := f.open(Options{})
	// Pushed, but to another branch: the object may arrive nowhere near main.
	other := f.commit(map[string]string{"a.tend.hcl": "2\n"})
	f.push("feature")
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	err := s.WaitFor(ctx, other)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "never became visible") ||
		!strings.Contains(err.Error(), other.String()) || !strings.Contains(err.Error(), `"main"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestWaitForReportsFetchError(t *testing.T) {
	f := newFixture(t)
	f.commit(map[string]string{"a.tend.hcl": "1\n"})
	f.push("main")
	s := f.open(Options{Branch: "prod"})
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	err := s.WaitFor(ctx, plumbing.NewHash("1111111111111111111111111111111111111111"))
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrBranchNotFound) {
		t.Fatalf("err = %v, want deadline and the last fetch error", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	f := newFixture(t)
	h := f.commit(map[string]string{"a.tend.hcl": "1\n"})
	f.push("main")
	s := f.open(Options{})
	if _, err := s.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	errs := make(chan error, 12)
	for range 4 {
		go func() { _, err := s.Fetch(context.Background()); errs <- err }()
		go func() { _, err := s.Export(h, root); errs <- err }()
		go func() { errs <- s.WaitFor(context.Background(), h) }()
	}
	for range 12 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestDescends(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit(map[string]string{"a.tend.hcl": "1\n"})
	c2 := f.commit(map[string]string{"a.tend.hcl": "2\n"})
	f.push("main")
	runGit(t, f.work, "checkout", "-q", "-b", "other", c1.String())
	c3 := f.commit(map[string]string{"a.tend.hcl": "3\n"})
	f.push("other")
	s := f.open(Options{})
	if _, err := s.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2 := f.open(Options{Dir: s.RepoPath(), Branch: "other"})
	if _, err := s2.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		h, base plumbing.Hash
		want    bool
	}{{c2, c1, true}, {c1, c1, true}, {c1, c2, false}, {c3, c2, false}, {c3, c1, true}} {
		if got, err := s.Descends(tc.h, tc.base); err != nil || got != tc.want {
			t.Errorf("Descends(%s, %s) = %v, %v; want %v", tc.h, tc.base, got, err, tc.want)
		}
	}
	if _, err := s.Descends(plumbing.NewHash("1111111111111111111111111111111111111111"), c1); err == nil {
		t.Error("Descends of a missing commit: no error")
	}
}
