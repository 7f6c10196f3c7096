package reportcache

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
)

func entry(t *testing.T, k Key, host string) *Entry {
	t.Helper()
	at := time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
	snap := &model.Snapshot{Host: host, ScannedAt: at, Providers: map[string]*model.ProviderInventory{
		"apt": {Resolution: &model.Resolution{ResolvedAt: at}}, "winget": {}}}
	r := &model.Report{Host: host, State: model.HostCompliant, Items: []model.Item{{Provider: "apt", Package: "kb", KB: "KB1", CVEs: []string{}}}}
	return NewEntry(k, &planner.Reused{Plan: model.HostPlan{Host: host, Policy: "p"}}, "dir:s", snap, r, []byte("{}\n"))
}

// TestSaveAndGet: entries stored are found by a later run (their KBs,
// stub and blob intact), a run that used only some rewrites the file with
// those alone, and a broken file is a miss, not an error.
func TestSaveAndGet(t *testing.T) {
	dir := t.TempDir()
	k1, k2 := NewHasher().String("a").Sum(), NewHasher().String("b").Sum()
	c := Open(dir)
	if c.Get(k1) != nil {
		t.Fatal("an empty cache has an entry")
	}
	if err := c.PutAll([]Key{k1, k2}, []*Entry{entry(t, k1, "h1"), entry(t, k2, "h2")}); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}

	c = Open(dir)
	e := c.Get(k1)
	if e == nil {
		t.Fatal("entry not found")
	}
	if r := e.ReportWithKBs(); r.Items[0].KB != "KB1" || r.Host != "h1" {
		t.Errorf("report %+v", r)
	}
	if s := e.Stub("h1"); len(s.Providers) != 2 || s.Providers["apt"].Resolution == nil || !s.ScannedAt.Equal(e.ScannedAt) {
		t.Errorf("stub %+v", s)
	}
	if e.Blob() != plumbing.ComputeHash(plumbing.BlobObject, []byte("{}\n")) {
		t.Errorf("blob %s", e.Blob())
	}
	if !e.Reusable("dir:s", "zypper") || !e.Reusable("dir:other", "apt") || e.Reusable("dir:other", "zypper") {
		t.Error("Reusable: the source matters only for a provider the snapshot lacks")
	}
	if err := c.Save(); err != nil { // used k1 only
		t.Fatal(err)
	}
	c = Open(dir)
	if c.Get(k1) == nil || c.Get(k2) != nil {
		t.Error("the rewritten file should hold the used entry alone")
	}

	if err := os.WriteFile(filepath.Join(dir, DefaultDir, File), []byte(magic+"short"), 0o644); err != nil {
		t.Fatal(err)
	}
	if Open(dir).Get(k1) != nil {
		t.Error("a truncated file gave an entry")
	}
}

// TestBlobByStat: a file's recorded blob hash stands while its stat
// information does; a write of the same size that keeps the
// modification time still changes the ctime, and a file changed just
// before it was read is not recorded.
func TestBlobByStat(t *testing.T) {
	if !statSupported() {
		t.Skip("no stat information on this platform")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "inventory.json")
	if err := os.WriteFile(path, []byte(`{"a":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	h := plumbing.ComputeHash(plumbing.BlobObject, []byte(`{"a":1}`))
	c := Open(dir)
	c.SawBlob(path, fi, time.Now(), h) // just written: not recorded
	if _, ok := c.Blob(path, fi); ok {
		t.Error("a file read right after it changed was recorded")
	}
	c.SawBlob(path, fi, time.Now().Add(3*Settle), h)
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	c = Open(dir)
	if got, ok := c.Blob(path, fi); !ok || got != h {
		t.Fatalf("blob %s %v, want %s", got, ok, h)
	}
	time.Sleep(20 * time.Millisecond) // a later ctime, whatever the clock's tick
	if err := os.WriteFile(path, []byte(`{"a":2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	fi2, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi2.Size() != fi.Size() || !fi2.ModTime().Equal(fi.ModTime()) {
		t.Fatal("the test meant to keep size and mtime")
	}
	if _, ok := Open(dir).Blob(path, fi2); ok {
		t.Error("a rewritten file kept its recorded blob hash")
	}
}
