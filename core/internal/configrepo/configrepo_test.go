package configrepo

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/internal/testfile"
)

const testConfig = `
host "web_1" {
  transport = "local"
}
`

func TestCommit(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	testfile.Write(t, filepath.Join(dir, "conf", "main.tend.hcl"), testConfig)
	testfile.Write(t, filepath.Join(dir, "lab", "main.tend.hcl"), testConfig)
	wt, _ := repo.Worktree()
	if _, err := wt.Add("conf"); err != nil {
		t.Fatal(err)
	}
	h, err := wt.Commit("config", &git.CommitOptions{Author: &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(0, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := Commit(filepath.Join(dir, "conf")); got != h.String() {
		t.Errorf("tracked dir: commit = %q, want %s", got, h)
	}
	if got := Commit(dir); got != h.String() {
		t.Errorf("repository root: commit = %q, want %s", got, h)
	}
	if got := Commit(filepath.Join(dir, "lab")); got != "" {
		t.Errorf("untracked dir: commit = %q, want none", got)
	}
	if got := Commit(t.TempDir()); got != "" {
		t.Errorf("outside Git: commit = %q", got)
	}
}
