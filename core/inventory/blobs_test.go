package inventory

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// TestReadDirBlobs: the hash of each snapshot is Git's of the file's bytes.
func TestReadDirBlobs(t *testing.T) {
	dir := t.TempDir()
	for _, h := range []string{"web_1", "web_2"} {
		if err := Write(dir, &model.Snapshot{FormatVersion: "1", Host: h, ScannedAt: time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC), Providers: map[string]*model.ProviderInventory{}}); err != nil {
			t.Fatal(err)
		}
	}
	inv, blobs, err := ReadDirBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv) != 2 || len(blobs) != 2 {
		t.Fatalf("%d snapshots, %d blobs; want 2 and 2", len(inv), len(blobs))
	}
	for h, got := range blobs {
		out, err := exec.Command("git", "hash-object", filepath.Join(dir, h, "inventory.json")).Output()
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSpace(string(out)); got.String() != want {
			t.Errorf("%s: blob %s, git hash-object %s", h, got, want)
		}
	}
}
