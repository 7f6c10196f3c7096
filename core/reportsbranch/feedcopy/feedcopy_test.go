package feedcopy

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/feeds"
	"github.com/tend-sh/tend/core/reportsbranch"
)

const branch = "tend/reports"

// fixtures serves core/feeds' fixtures over HTTPS, each path its bytes.
type fixtures struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (f *fixtures) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(b)
}

func (f *fixtures) set(path string, b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[path] = b
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "feeds", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func commit(t *testing.T, dir string, files map[string][]byte, remove []string) {
	t.Helper()
	_, _, err := reportsbranch.Write(dir, branch, files, reportsbranch.Commit{Message: "tend: reports", Remove: remove,
		Author: object.Signature{Name: "tend", Email: "tend@example.com", When: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
}

func tree(t *testing.T, dir string) *reportsbranch.Tree {
	t.Helper()
	tr, err := reportsbranch.At(dir, branch)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func keys(m map[string][]byte) []string { return slices.Sorted(maps.Keys(m)) }

// TestFilesAndCopies: the first commit of reports holds the manifest and
// a copy of each url feed (not of a file feed); a later one with the same
// feeds holds the manifest alone and changes nothing on the branch; a feed
// that changed is copied again, alone; a feed gone from the configuration
// has its copy removed. Copies reads each feed back from a real repository,
// parsing to what the cache parses.
func TestFilesAndCopies(t *testing.T) {
	dir := t.TempDir()
	if _, err := git.PlainInit(dir, false); err != nil {
		t.Fatal(err)
	}
	srv := &fixtures{files: map[string][]byte{"/tracker.json": fixture(t, "debian-tracker.json"), "/kev.json": fixture(t, "kev.json")}}
	ts := httptest.NewTLSServer(srv)
	defer ts.Close()
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	cache := &feeds.Cache{Dir: t.TempDir(), Client: ts.Client(), Now: func() time.Time { return now }}
	cfg := &config.Config{Dir: dir, Feeds: map[string]*config.Feed{
		"debian": {Name: "debian", Type: config.FeedDebianTracker, URL: ts.URL + "/tracker.json"},
		"kev":    {Name: "kev", Type: config.FeedKEV, URL: ts.URL + "/kev.json"},
		"local":  {Name: "local", Type: config.FeedOSV, File: "feeds/osv.json"},
	}}
	update := func(names ...string) {
		t.Helper()
		for _, n := range names {
			if r := cache.Update(context.Background(), cfg.Feeds[n]); r.Err != nil {
				t.Fatal(r.Err)
			}
		}
	}
	update("debian", "kev")

	files, remove, err := Files(cfg, cache, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(files); !slices.Equal(got, []string{"feeds/debian.gz", "feeds/feeds.json", "feeds/kev.gz"}) || remove != nil {
		t.Fatalf("first files: %v, remove %v", got, remove)
	}
	commit(t, dir, files, remove)
	m, err := Read(tree(t, dir))
	if err != nil || m == nil || len(m.Feeds) != 2 {
		t.Fatalf("manifest: %+v %v", m, err)
	}
	meta, _, _ := cache.ReadMeta("debian")
	if e := m.Entry("debian"); e.Form != feeds.FormReduced || e.SHA256 != meta.SHA256 || e.Size != meta.Size ||
		!e.FetchedAt.Equal(now) || e.File != "feeds/debian.gz" || e.URL != ts.URL+"/tracker.json" {
		t.Errorf("debian entry: %+v", e)
	}
	if e := m.Entry("kev"); e.Form != feeds.FormAsFetched || e.Date.Format(time.DateOnly) != "2025-08-25" {
		t.Errorf("kev entry: %+v", e)
	}

	// The same feeds fetched again (a 200 with the same bytes): the
	// manifest alone, which differs from the branch's in timestamps only.
	now = now.Add(6 * time.Hour)
	update("debian", "kev")
	files, _, err = Files(cfg, cache, tree(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(files); !slices.Equal(got, []string{"feeds/feeds.json"}) {
		t.Fatalf("unchanged feeds: %v", got)
	}
	if differs, err := reportsbranch.Differs(tree(t, dir), files); err != nil || differs {
		t.Errorf("unchanged feeds differ from the branch: %v %v", differs, err)
	}

	// A daemon whose cache was lost (a new state directory) and could not
	// fetch yet keeps the branch's entries and copies.
	files, remove, err = Files(cfg, &feeds.Cache{Dir: t.TempDir()}, tree(t, dir))
	if err != nil || remove != nil {
		t.Fatalf("empty cache: %v, remove %v", err, remove)
	}
	if differs, err := reportsbranch.Differs(tree(t, dir), files); err != nil || differs || len(files) != 1 {
		t.Errorf("an empty cache changes the branch: %v %v %v", keys(files), differs, err)
	}
	// A cache restored from an older backup does not replace a newer copy.
	older := &feeds.Cache{Dir: t.TempDir(), Client: ts.Client(), Now: func() time.Time { return now.Add(-24 * time.Hour) }}
	srv.set("/kev.json", bytes.Replace(fixture(t, "kev.json"), []byte(`"catalogVersion": "2025.08.25"`), []byte(`"catalogVersion": "2025.08.01"`), 1))
	if r := older.Update(context.Background(), cfg.Feeds["kev"]); r.Err != nil {
		t.Fatal(r.Err)
	}
	files, _, err = Files(cfg, older, tree(t, dir))
	if differs, _ := reportsbranch.Differs(tree(t, dir), files); err != nil || differs || files["feeds/kev.gz"] != nil {
		t.Errorf("an older cache replaced the branch's copy: %v %v", keys(files), err)
	}

	// A cached file replaced after its meta was read (a fetch meanwhile):
	// the branch's entry stays until the next commit.
	racy := &feeds.Cache{Dir: t.TempDir(), Client: ts.Client(), Now: func() time.Time { return now.Add(time.Hour) }}
	if r := racy.Update(context.Background(), cfg.Feeds["kev"]); r.Err != nil {
		t.Fatal(r.Err)
	}
	if err := os.WriteFile(filepath.Join(racy.Dir, "kev.data"), []byte("replaced"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, remove, err = Files(cfg, racy, tree(t, dir))
	if differs, _ := reportsbranch.Differs(tree(t, dir), files); err != nil || differs || remove != nil || files["feeds/kev.gz"] != nil {
		t.Errorf("a replaced cache file: %v remove %v %v", keys(files), remove, err)
	}

	// A new KEV catalog: its copy alone is written again.
	kev2 := bytes.Replace(fixture(t, "kev.json"), []byte(`"catalogVersion": "2025.08.25"`), []byte(`"catalogVersion": "2025.08.26"`), 1)
	if bytes.Equal(kev2, fixture(t, "kev.json")) {
		t.Fatal("the KEV fixture has no catalogVersion 2025.08.25")
	}
	srv.set("/kev.json", kev2)
	update("kev")
	files, _, err = Files(cfg, cache, tree(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(files); !slices.Equal(got, []string{"feeds/feeds.json", "feeds/kev.gz"}) {
		t.Fatalf("after a new KEV catalog: %v", got)
	}
	commit(t, dir, files, nil)

	// Read back: the tracker's copy parses to the rows the fetched file
	// does, the KEV catalog's to the new catalog.
	copies := Copies(dir, branch, "")
	c, err := copies("debian")
	if err != nil || c == nil {
		t.Fatalf("debian copy: %+v %v", c, err)
	}
	if c.Where != "reports branch "+branch || c.URL != ts.URL+"/tracker.json" || !c.FetchedAt.Equal(now) {
		t.Errorf("debian copy: %+v", c)
	}
	b, err := c.Read()
	if err != nil {
		t.Fatal(err)
	}
	got, err := feeds.Parse(config.FeedDebianTracker, b)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := feeds.Parse(config.FeedDebianTracker, fixture(t, "debian-tracker.json"))
	if !reflect.DeepEqual(rows(got.TrackerFixes), rows(want.TrackerFixes)) {
		t.Errorf("tracker rows from the copy:\n got %v\nwant %v", rows(got.TrackerFixes), rows(want.TrackerFixes))
	}
	c, _ = Copies(dir, branch, branch)("kev")
	if b, err := c.Read(); err != nil || !bytes.Equal(b, kev2) {
		t.Errorf("kev copy at %s: %v", branch, err)
	}
	if c, err := copies("local"); c != nil || err != nil {
		t.Errorf("a file feed has a copy: %+v %v", c, err)
	}

	// The KEV feed leaves the configuration: its copy goes.
	delete(cfg.Feeds, "kev")
	files, remove, err = Files(cfg, cache, tree(t, dir))
	if err != nil || !slices.Equal(remove, []string{"feeds/kev.gz"}) || files["feeds/kev.gz"] != nil {
		t.Fatalf("kev gone: files %v remove %v %v", keys(files), remove, err)
	}
	commit(t, dir, files, remove)
	if _, ok, _ := tree(t, dir).File("feeds/kev.gz"); ok {
		t.Error("feeds/kev.gz is still on the branch")
	}
	if m, _ := Read(tree(t, dir)); m.Entry("kev") != nil || m.Entry("debian") == nil {
		t.Errorf("manifest after kev left: %+v", m)
	}
}

// TestCopiesNewest: without a revision, the newest copy among the local
// branch and the remotes' tracking branches is read; outside a Git
// repository there is none.
func TestCopiesNewest(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	manifest := func(at time.Time, url string) map[string][]byte {
		body, _, _ := feeds.Compact(config.FeedKEV, fixture(t, "kev.json"), nil)
		m := Manifest{FormatVersion: FormatVersion, Feeds: []Entry{{Name: "kev", Type: config.FeedKEV, URL: url,
			File: CopyPath("kev"), Form: feeds.FormAsFetched, FetchedAt: at, Date: at}}}
		b, _ := jsonIndent(m)
		return map[string][]byte{ManifestPath: b, CopyPath("kev"): body}
	}
	commit(t, dir, manifest(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "https://a.example/kev.json"), nil)
	local, _ := repo.Reference("refs/heads/"+branch, true)
	// A remote's copy, fetched later, is newer.
	if _, _, err := reportsbranch.Write(dir, "scratch", manifest(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), "https://b.example/kev.json"),
		reportsbranch.Commit{Message: "newer", Author: object.Signature{Name: "t", Email: "t@example.com", When: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateRemote(remoteConfig("origin")); err != nil {
		t.Fatal(err)
	}
	scratch, _ := repo.Reference("refs/heads/scratch", true)
	setRef(t, repo, "refs/remotes/origin/"+branch, scratch)
	c, err := Copies(dir, branch, "")("kev")
	if err != nil || c == nil || c.URL != "https://b.example/kev.json" || c.Where != "reports branch origin/"+branch {
		t.Errorf("newest copy: %+v %v (local at %s)", c, err, local.Hash())
	}
	if c, err := Copies(t.TempDir(), branch, "")("kev"); c != nil || err != nil {
		t.Errorf("outside a repository: %+v %v", c, err)
	}
}
