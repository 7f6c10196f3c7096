package htmlreport

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWriteRemovesStalePages writes the site, then the site without a
// host and a client (they left the configuration): their pages go, the
// files tend did not write stay, and a manifest naming files outside the
// site removes nothing.
func TestWriteRemovesStalePages(t *testing.T) {
	files, err := Build(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mine := filepath.Join(dir, "hosts", "notes.html") // the user's, not in the manifest
	outside := filepath.Join(t.TempDir(), "keep.html")
	for _, p := range []string{mine, outside} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if removed, err := Write(dir, files); err != nil || len(removed) != 0 {
		t.Fatalf("first write: removed %v, %v", removed, err)
	}
	for p := range files {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	fewer := map[string][]byte{}
	for p, b := range files {
		if p != HostPage("globex_fs02") && p != ClientPage("globex") {
			fewer[p] = b
		}
	}
	removed, err := Write(dir, fewer)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{ClientPage("globex"), HostPage("globex_fs02")}; !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	for _, p := range removed {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); !os.IsNotExist(err) {
			t.Errorf("%s still there: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, IndexFile)); err != nil {
		t.Error(err)
	}
	// A manifest edited to name other files: they are not touched.
	rel, _ := filepath.Rel(dir, outside)
	manifest := filepath.ToSlash(rel) + "\n" + outside + "\n../x.html\nsummary.json\n"
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, map[string][]byte{IndexFile: files[IndexFile]}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{mine, outside} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

func TestStale(t *testing.T) {
	got := Stale([]byte("index.html\nhosts/a.html\nhosts/b.html\n/etc/x.html\n../y.html\nhosts/../../z.html\nhosts/c.json\n\nhosts/a.html\n"),
		map[string][]byte{"index.html": nil, "hosts/b.html": nil})
	if want := []string{"hosts/a.html"}; !slices.Equal(got, want) {
		t.Errorf("Stale = %v, want %v", got, want)
	}
}
