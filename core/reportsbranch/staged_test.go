package reportsbranch

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/memory"
)

// TestWriteOnePackfile: a commit's objects land in one packfile, not one
// loose file each, and git reads and checks them; a second commit on top
// that changes one file adds a pack of that file's blob and the trees and
// commit above it.
func TestWriteOnePackfile(t *testing.T) {
	dir := workRepo(t)
	loose := strings.TrimSpace(gitCheck(t, dir, "count-objects"))
	files := Files{}
	for i := range 200 {
		files[fmt.Sprintf("hosts/web_%03d/report.json", i)] = []byte(fmt.Sprintf(`{"host": "web_%03d"}`, i))
	}
	h, changed, err := Write(dir, "tend/reports", files, testCommit("first"))
	if err != nil || !changed {
		t.Fatalf("Write = %v, %v", changed, err)
	}
	if got := strings.TrimSpace(gitCheck(t, dir, "count-objects")); got != loose {
		t.Errorf("loose objects after Write: %q, want as before (%q)", got, loose)
	}
	// 200 blobs, 200 host trees, hosts/, the root tree, the commit.
	if v := gitCheck(t, dir, "count-objects", "-v"); !strings.Contains(v, "in-pack: 403\n") || !strings.Contains(v, "packs: 1\n") {
		t.Errorf("count-objects -v:\n%s", v)
	}
	gitCheck(t, dir, "fsck", "--strict")
	if got := treeFiles(t, dir, h)["hosts/web_007/report.json"]; got != `{"host": "web_007"}` {
		t.Errorf("web_007 = %q", got)
	}

	files = Files{"hosts/web_007/report.json": []byte(`{"host": "web_007", "changed": true}`)}
	h2, changed, err := Write(dir, "tend/reports", files, testCommit("second"))
	if err != nil || !changed {
		t.Fatalf("second Write = %v, %v", changed, err)
	}
	if v := gitCheck(t, dir, "count-objects", "-v"); !strings.Contains(v, "in-pack: 408\n") || !strings.Contains(v, "packs: 2\n") {
		t.Errorf("count-objects -v after the second commit:\n%s", v)
	}
	gitCheck(t, dir, "fsck", "--strict")
	if got := gitCheck(t, dir, "show", h2.String()+":hosts/web_008/report.json"); got != `{"host": "web_008"}` {
		t.Errorf("web_008 after the second commit = %q", got)
	}
}

// TestPackMatchesGit: the pack Write makes holds objects of every header
// size (empty, under 16 bytes, over 2 KB and 1 MB) that git verifies, and
// its index is byte for byte the one git's index-pack builds from the pack.
func TestPackMatchesGit(t *testing.T) {
	dir := workRepo(t)
	big := bytes.Repeat([]byte("0123456789abcdef\n"), 70000) // 1.1 MB
	files := Files{"empty": {}, "small": []byte("tiny"), "mid": bytes.Repeat([]byte("x"), 2500), "hosts/h/inventory.json": big}
	h, _, err := Write(dir, "tend/reports", files, testCommit("sizes"))
	if err != nil {
		t.Fatal(err)
	}
	got := treeFiles(t, dir, h)
	for p, want := range files {
		if got[p] != string(want) {
			t.Errorf("%s: %d bytes, want %d", p, len(got[p]), len(want))
		}
	}
	packs, err := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "pack-*.pack"))
	if err != nil || len(packs) != 1 {
		t.Fatalf("packs = %v, %v", packs, err)
	}
	gitCheck(t, dir, "verify-pack", strings.TrimSuffix(packs[0], ".pack")+".idx")
	ours, err := os.ReadFile(strings.TrimSuffix(packs[0], ".pack") + ".idx")
	if err != nil {
		t.Fatal(err)
	}
	theirs := filepath.Join(t.TempDir(), "git.idx")
	gitCheck(t, dir, "index-pack", "-o", theirs, packs[0])
	want, err := os.ReadFile(theirs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ours, want) {
		t.Errorf("index differs from git index-pack's (%d and %d bytes)", len(ours), len(want))
	}
	gitCheck(t, dir, "fsck", "--strict")
}

// TestEncodePackOnce: an object given twice is packed and indexed once.
func TestEncodePackOnce(t *testing.T) {
	st := stage(memory.NewStorage())
	h, err := storeBlob(st, []byte("twice"))
	if err != nil {
		t.Fatal(err)
	}
	var pack bytes.Buffer
	_, idx, err := encodePack(&pack, func(h plumbing.Hash) (plumbing.EncodedObject, error) {
		return st.mem.EncodedObject(plumbing.AnyObject, h)
	}, []plumbing.Hash{h, h})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := idx.Count(); err != nil || n != 1 {
		t.Errorf("index holds %d objects (%v), want 1", n, err)
	}
	if got := binary.BigEndian.Uint32(pack.Bytes()[8:12]); got != 1 {
		t.Errorf("pack header counts %d objects, want 1", got)
	}
}
