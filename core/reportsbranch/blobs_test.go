package reportsbranch

import (
	"context"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestBlobsKeepHeldSnapshots: a file given by the hash of a blob the
// branch holds makes the same tree as its content would, and Holding finds
// exactly the paths whose blob is on the branch.
func TestBlobsKeepHeldSnapshots(t *testing.T) {
	repo := workRepo(t)
	first := Files{
		"hosts/web_1/inventory.json": []byte("{\"host\": \"web_1\"}\n"),
		"hosts/web_2/inventory.json": []byte("{\"host\": \"web_2\"}\n"),
		"hosts/web_1/report.json":    []byte("{}\n"),
	}
	if _, _, err := Write(repo, "tend/reports", first, testCommit("one")); err != nil {
		t.Fatal(err)
	}
	kept := plumbing.ComputeHash(plumbing.BlobObject, first["hosts/web_1/inventory.json"])
	changed := []byte("{\"host\": \"web_2\", \"more\": 1}\n")
	o := CommitOptions{ConfigDir: repo, Branch: "tend/reports"}
	held, err := Holding(context.Background(), o, map[string]plumbing.Hash{
		"hosts/web_1/inventory.json": kept,
		"hosts/web_2/inventory.json": plumbing.ComputeHash(plumbing.BlobObject, changed),
		"hosts/web_3/inventory.json": kept,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 1 || held["hosts/web_1/inventory.json"] != kept {
		t.Fatalf("Holding = %v, want only hosts/web_1/inventory.json", held)
	}

	second := Files{"hosts/web_2/inventory.json": changed, "hosts/web_1/report.json": []byte("{\"x\": 1}\n")}
	c := testCommit("two")
	c.Blobs = held
	viaBlob, _, err := Write(repo, "tend/reports", second, c)
	if err != nil {
		t.Fatal(err)
	}
	// The same files written with their content, onto a fresh branch.
	whole := Files{"hosts/web_1/inventory.json": first["hosts/web_1/inventory.json"]}
	for p, b := range second {
		whole[p] = b
	}
	viaContent, _, err := Write(repo, "tend/whole", whole, testCommit("two"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := treeFiles(t, repo, viaBlob), treeFiles(t, repo, viaContent)
	if len(a) != len(b) {
		t.Fatalf("trees differ: %v vs %v", a, b)
	}
	for p, v := range b {
		if a[p] != v {
			t.Errorf("%s: %q via blob, %q via content", p, a[p], v)
		}
	}

	tree, err := Fetch(context.Background(), repo, "", "tend/reports")
	if err != nil {
		t.Fatal(err)
	}
	if differs, err := BlobsDiffer(tree, held); err != nil || differs {
		t.Errorf("BlobsDiffer after the commit = %v, %v; want false", differs, err)
	}
	if differs, err := BlobsDiffer(tree, map[string]plumbing.Hash{"hosts/web_2/inventory.json": kept}); err != nil || !differs {
		t.Errorf("BlobsDiffer of another blob = %v, %v; want true", differs, err)
	}
	if differs, err := Differs(tree, second); err != nil || differs {
		t.Errorf("Differs of the same files = %v, %v; want false", differs, err)
	}
	if _, ok, err := tree.BlobHash("hosts/web_1"); err != nil || ok {
		t.Errorf("BlobHash of a directory = %v, %v; want none", ok, err)
	}
	if _, _, err := Write(repo, "tend/reports", Files{"hosts/web_1/inventory.json": []byte("x")}, c); err == nil {
		t.Error("a path given both as content and as a blob was accepted")
	}
}
