package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/reportsbranch"
)

func TestReadGit(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, reportsbranch.HostsDir), "web_1", good)
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("hosts"); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(0, 0)}
	h, err := wt.Commit("reports", &git.CommitOptions{Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Storer.SetReference(plumbing.NewHashReference("refs/heads/tend/reports", h)); err != nil {
		t.Fatal(err)
	}
	// The work tree changes afterwards; ReadGit must read the commit.
	if err := os.RemoveAll(filepath.Join(dir, reportsbranch.HostsDir)); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "config")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := ReadGit(sub, "tend/reports")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["web_1"].Providers["apt"].Installed[0].Name != "openssl" {
		t.Fatalf("ReadGit = %+v", got)
	}
	if _, err := ReadGit(sub, "no/such/ref"); err == nil || !strings.Contains(err.Error(), "git:no/such/ref") {
		t.Errorf("unknown ref: err = %v", err)
	}
	if _, err := ReadGit(t.TempDir(), "main"); err == nil || !strings.Contains(err.Error(), "not in a Git repository") {
		t.Errorf("no repo: err = %v", err)
	}
}
