package gitsource

import (
	"context"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// The daemon commits reports into the same clone with reportsbranch.Sync;
// the reports branch must reach the upstream and fetching main must keep
// working afterwards.
func TestReportsBranchSyncOnClone(t *testing.T) {
	f := newFixture(t)
	c1 := f.commit(map[string]string{"main.tend.hcl": "1\n"})
	f.push("main")
	s := f.open(Options{})
	ctx := context.Background()
	if _, err := s.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	sync := func(summary string, config string) {
		t.Helper()
		msg, tr := reportsbranch.Message(config, 1, 0, 0)
		c := reportsbranch.Commit{Message: msg, Trailers: tr, Author: object.Signature{Name: "tend", Email: "tend@example.com", When: time.Now()}}
		files := reportsbranch.Files{"SUMMARY.md": []byte(summary)}
		if _, _, err := reportsbranch.Sync(ctx, s.RepoPath(), s.Remote(), "tend/reports", files, c, reportsbranch.WithAuth(s.Auth())); err != nil {
			t.Fatalf("Sync: %v", err)
		}
		if got := runGit(t, f.upstream, "show", "tend/reports:SUMMARY.md"); got != summary {
			t.Fatalf("upstream tend/reports:SUMMARY.md = %q, want %q", got, summary)
		}
	}
	sync("first", c1.String())

	c2 := f.commit(map[string]string{"main.tend.hcl": "2\n"})
	f.push("main")
	if h, err := s.Fetch(ctx); err != nil || h != c2 {
		t.Fatalf("Fetch after Sync = %s, %v; want %s", h, err, c2)
	}
	if _, err := s.Export(c2, t.TempDir()); err != nil {
		t.Fatalf("Export after Sync: %v", err)
	}
	sync("second", c2.String())
	if got := runGit(t, f.upstream, "rev-parse", "main"); got != c2.String() {
		t.Errorf("upstream main moved to %s", got)
	}
	runGit(t, s.RepoPath(), "fsck", "--no-progress")
}
