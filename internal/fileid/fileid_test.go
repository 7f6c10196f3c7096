package fileid

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSame(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	id := mustStat(t, path)
	if !id.Same(mustStat(t, path)) {
		t.Error("an unchanged file is not the same")
	}
	// Rewritten in place, same size, modification time set back.
	fi, _ := os.Stat(path)
	if err := os.WriteFile(path, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if id.Same(mustStat(t, path)) {
		t.Error("a file rewritten in place with its mtime set back is the same")
	}
	// Another file renamed over it.
	id = mustStat(t, path)
	other := filepath.Join(dir, "g")
	if err := os.WriteFile(other, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	if id.Same(mustStat(t, path)) {
		t.Error("a file renamed over it is the same")
	}
	if (ID{}).Same(ID{}) {
		t.Error("zero IDs are the same")
	}
}

func mustStat(t *testing.T, path string) ID {
	t.Helper()
	id, err := Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
