package gitsource

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// fixture is an upstream bare repository and a work tree pushing to it,
// both made with the git CLI.
type fixture struct {
	t        *testing.T
	upstream string // bare
	work     string
}

// isolateGit keeps the user's and system's Git configuration out of tests.
func isolateGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_AUTHOR_NAME", "Test")
	t.Setenv("GIT_AUTHOR_EMAIL", "test@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "Test")
	t.Setenv("GIT_COMMITTER_EMAIL", "test@example.com")
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	isolateGit(t)
	base := t.TempDir()
	f := &fixture{t: t, upstream: filepath.Join(base, "upstream.git"), work: filepath.Join(base, "work")}
	runGit(t, base, "init", "-q", "--bare", "-b", "main", f.upstream)
	runGit(t, base, "init", "-q", "-b", "main", f.work)
	runGit(t, f.work, "remote", "add", "origin", f.upstream)
	return f
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := gitCmd(dir, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

// gitCmd runs git without testing.T, for goroutines.
func gitCmd(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// commit writes files (path → content; "" removes) into the work tree,
// commits them and returns the commit.
func (f *fixture) commit(files map[string]string) plumbing.Hash {
	f.t.Helper()
	for p, content := range files {
		full := filepath.Join(f.work, filepath.FromSlash(p))
		if content == "" {
			runGit(f.t, f.work, "rm", "-q", p)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			f.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
		runGit(f.t, f.work, "add", p)
	}
	runGit(f.t, f.work, "commit", "-q", "--allow-empty", "-m", "change")
	return plumbing.NewHash(runGit(f.t, f.work, "rev-parse", "HEAD"))
}

func (f *fixture) push(branch string) {
	f.t.Helper()
	runGit(f.t, f.work, "push", "-q", "origin", "HEAD:refs/heads/"+branch)
}

// open opens a Source on the fixture with a fresh clone directory.
func (f *fixture) open(o Options) *Source {
	f.t.Helper()
	if o.URL == "" {
		o.URL = "file://" + f.upstream
	}
	if o.Dir == "" {
		o.Dir = filepath.Join(f.t.TempDir(), "repo.git")
	}
	s, err := Open(o)
	if err != nil {
		f.t.Fatalf("Open: %v", err)
	}
	return s
}

// readTree returns the regular files under dir, path → content.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&os.ModeSymlink != 0 {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// roundTrip fetches the fixture's main through s (it must be want) and
// pushes a reports commit back, then checks the upstream has it: what the
// daemon does over every transport.
func (f *fixture) roundTrip(s *Source, want plumbing.Hash, over string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if h, err := s.Fetch(ctx); err != nil || h != want {
		f.t.Fatalf("Fetch over %s = %s, %v; want %s", over, h, err, want)
	}
	c := reportsbranch.Commit{Message: "tend: test", Author: object.Signature{Name: "tend", Email: "tend@example.com", When: time.Now()}}
	if _, _, err := reportsbranch.Sync(ctx, s.RepoPath(), s.Remote(), "tend/reports",
		reportsbranch.Files{"SUMMARY.md": []byte("over " + over + "\n")}, c, reportsbranch.WithAuth(s.Auth())); err != nil {
		f.t.Fatalf("Sync over %s: %v", over, err)
	}
	if got := runGit(f.t, f.upstream, "show", "tend/reports:SUMMARY.md"); got != "over "+over {
		f.t.Fatalf("upstream SUMMARY.md = %q", got)
	}
}
