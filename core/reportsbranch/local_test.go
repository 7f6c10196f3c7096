package reportsbranch

import (
	"context"
	"testing"

	git "github.com/go-git/go-git/v5"
)

// TestLocal: without the network, Local returns the newest copy of the
// branch: our commit not pushed yet when it sits on the remote head, the
// remote's when another writer moved it on.
func TestLocal(t *testing.T) {
	ctx := context.Background()
	remote := t.TempDir()
	if _, err := git.PlainInit(remote, true); err != nil {
		t.Fatal(err)
	}
	a, b := clone(t, remote), clone(t, remote)
	if tr, err := Local(a, "origin", "reports"); err != nil || !tr.Head.IsZero() {
		t.Fatalf("Local before any branch = %+v, %v", tr, err)
	}
	// A first commit whose push failed: only the local branch has it.
	h0, _, err := Write(a, "reports", Files{"x": []byte("0")}, testCommit("0"))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Local(a, "origin", "reports")
	if err != nil || tr.Head != h0 || !tr.Unpushed() {
		t.Fatalf("Local with nothing pushed = %+v, %v; want %s", tr, err, h0)
	}
	if got, ok, _ := tr.File("x"); !ok || string(got) != "0" {
		t.Fatalf("x = %q, %v", got, ok)
	}
	h1, _, err := Sync(ctx, a, "origin", "reports", Files{"x": []byte("1")}, testCommit("1"))
	if err != nil {
		t.Fatal(err)
	}
	if tr, err := Local(a, "origin", "reports"); err != nil || tr.Head != h1 || tr.Unpushed() {
		t.Fatalf("Local after a push = %+v, %v; want %s", tr, err, h1)
	}
	// A commit of ours on top of the remote head, not pushed.
	h2, _, err := Write(a, "reports", Files{"x": []byte("2")}, testCommit("2"))
	if err != nil {
		t.Fatal(err)
	}
	if tr, err := Local(a, "origin", "reports"); err != nil || tr.Head != h2 || tr.Remote != h1 || !tr.Unpushed() {
		t.Fatalf("Local with an unpushed commit = %+v, %v; want %s on %s", tr, err, h2, h1)
	}
	// Another writer moves the remote on: its head wins, ours is rebuilt
	// on it by the next Sync.
	hb, _, err := Sync(ctx, b, "origin", "reports", Files{"y": []byte("b")}, testCommit("b"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Fetch(ctx, a, "origin", "reports"); err != nil {
		t.Fatal(err)
	}
	if tr, err := Local(a, "origin", "reports"); err != nil || tr.Head != hb || tr.Unpushed() {
		t.Fatalf("Local after another writer = %+v, %v; want %s", tr, err, hb)
	}
}
