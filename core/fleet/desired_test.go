package fleet

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/tend-sh/tend/core/agentwire/natstest"
)

// TestDesiredNeverOlder: two controllers, one at a newer commit of the
// configuration repository than the other. Once the newer has published,
// the lagging one cannot publish its older commit under a higher revision
// (nor a commit on another line of history, nor one its clone lacks); once
// it has caught up it publishes nothing new, and a newer commit after that
// is published by either.
func TestDesiredNeverOlder(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Now()}
	commit := func(msg string, parents ...plumbing.Hash) string {
		t.Helper()
		h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, AllowEmptyCommits: true, Parents: parents})
		if err != nil {
			t.Fatal(err)
		}
		return h.String()
	}
	c1 := commit("one")
	c2 := commit("two")
	side := commit("side", plumbing.NewHash(c1)) // another line from c1
	s := natstest.Start(t, nil)
	ctx := context.Background()
	descends := GitDescends(dir)
	newer, lagging := connect(t, s, Options{Descends: descends}), connect(t, s, Options{Descends: descends})
	cfg := agentConfig(t, []string{"a1"}, "")

	if _, err := lagging.PublishDesired(ctx, cfg, c1); err != nil {
		t.Fatal(err)
	}
	if revs, err := newer.PublishDesired(ctx, cfg, c2); err != nil || revs["x"] != 2 {
		t.Fatalf("the newer commit: %v %v", revs, err)
	}
	for _, old := range []string{c1, side, "0123456789012345678901234567890123456789"} {
		if _, err := lagging.PublishDesired(ctx, cfg, old); err == nil || !strings.Contains(err.Error(), "is not newer") {
			t.Errorf("publishing %s over %s: %v", old, c2, err)
		}
	}
	if d, _, err := newer.Desired(ctx, "x"); err != nil || d.Revision != 2 || d.ConfigCommit != c2 {
		t.Fatalf("desired after the lagging controller's attempts: %+v %v", d, err)
	}
	if revs, err := lagging.PublishDesired(ctx, cfg, c2); err != nil || revs["x"] != 2 {
		t.Fatalf("caught up: %v %v", revs, err)
	}
	c3 := commit("three", plumbing.NewHash(c2))
	if revs, err := lagging.PublishDesired(ctx, cfg, c3); err != nil || revs["x"] != 3 {
		t.Fatalf("a newer commit: %v %v", revs, err)
	}
}
