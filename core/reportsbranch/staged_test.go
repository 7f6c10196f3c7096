package reportsbranch

import (
	"fmt"
	"strings"
	"testing"
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
