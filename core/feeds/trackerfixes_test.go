package feeds

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tend-sh/tend/core/config"
)

func TestTrackerFixes(t *testing.T) {
	tr, err := ParseTracker([]byte(`{
		"libx": {
			"CVE-2024-2": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.2-1"}, "bullseye": {"status": "resolved", "fixed_version": "0"}}},
			"CVE-2024-1": {"releases": {"bookworm": {"status": "open"}, "trixie": {"status": "undetermined"}, "sid": {"status": "open", "fixed_version": "0"}}},
			"TEMP-0000001-ABCDEF": {"releases": {"bookworm": {"status": "open"}}}
		},
		"liby": {"TEMP-0000002-ABCDEF": {"releases": {"bookworm": {"status": "open"}}}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	f := NewTrackerFixes(tr)
	type row struct{ cve, rel, fixed string }
	var rows []row
	for i := range f.CVE {
		rows = append(rows, row{f.Str(f.CVE[i]), f.Str(f.Release[i]), f.Str(f.Fixed[i])})
	}
	want := []row{{"CVE-2024-1", "bookworm", ""}, {"CVE-2024-2", "bookworm", "1.2-1"}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %q, want %q", rows, want)
	}
	if len(f.Sources) != 1 || f.Str(f.Sources[0]) != "libx" || !f.valid() {
		t.Errorf("sources = %v (valid %v)", f.Sources, f.valid())
	}
}

// TestParseCached: the second parse of the same bytes reads the cache's
// parsed copy; changed bytes parse again and replace it; a damaged copy
// is a miss.
func TestParseCached(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	raw := fixture(t, "debian-tracker.json")
	first, err := c.ParseCached("debian", config.FeedDebianTracker, raw)
	if err != nil || first.Tracker == nil || first.TrackerFixes == nil {
		t.Fatalf("first parse = %+v, %v", first, err)
	}
	copies, _ := filepath.Glob(filepath.Join(c.Dir, "parsed", "debian.*.gob"))
	if len(copies) != 1 {
		t.Fatalf("parsed copies = %v", copies)
	}
	second, err := c.ParseCached("debian", config.FeedDebianTracker, raw)
	if err != nil || second.Tracker != nil {
		t.Fatalf("second parse did not read the copy: %+v, %v", second, err)
	}
	if !reflect.DeepEqual(second.TrackerFixes, first.TrackerFixes) {
		t.Error("the cached copy differs from the parse")
	}

	if err := os.WriteFile(copies[0], []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := c.ParseCached("debian", config.FeedDebianTracker, raw); err != nil || p.Tracker == nil {
		t.Fatalf("damaged copy: %+v, %v", p, err)
	}

	changed := append([]byte(`{"liba": {"CVE-2020-1": {"releases": {"sid": {"status": "open"}}}}, `), raw[1:]...)
	p, err := c.ParseCached("debian", config.FeedDebianTracker, changed)
	if err != nil || p.Tracker == nil || p.Tracker["liba"] == nil {
		t.Fatalf("changed file: %+v, %v", p, err)
	}
	now, _ := filepath.Glob(filepath.Join(c.Dir, "parsed", "debian.*.gob"))
	if len(now) != 1 || now[0] == copies[0] {
		t.Errorf("parsed copies after a change = %v (before %v)", now, copies)
	}
	// A broken file is refused whatever the cache holds.
	if _, err := c.ParseCached("debian", config.FeedDebianTracker, []byte(`{"x":`)); err == nil {
		t.Error("broken tracker parsed")
	}
}

// TestLoadReadsParsedCopy: tend feeds update leaves a fetched tracker's
// parsed copy in the cache and Load reads it; a file feed in the
// checkout is parsed and nothing is written beside it.
func TestLoadReadsParsedCopy(t *testing.T) {
	fs := &feedServer{}
	fs.set(fixture(t, "debian-tracker.json"), `"t1"`, 0)
	srv := httptest.NewTLSServer(fs)
	defer srv.Close()
	c := &Cache{Dir: t.TempDir(), Client: srv.Client()}
	url := &config.Feed{Name: "debian", Type: config.FeedDebianTracker, URL: srv.URL + "/tracker.json"}
	if r := c.Update(context.Background(), url); r.Outcome != Updated {
		t.Fatalf("update: %s %v", r.Outcome, r.Err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tracker.json"), fixture(t, "debian-tracker.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := &config.Feed{Name: "local", Type: config.FeedDebianTracker, File: "tracker.json"}
	cfg := &config.Config{Dir: dir, Feeds: map[string]*config.Feed{"debian": url, "local": file}}
	loaded, errs := Load(cfg, c)
	if len(errs) > 0 || len(loaded) != 2 {
		t.Fatalf("loaded %d, errs %v", len(loaded), errs)
	}
	for _, l := range loaded {
		if l.Data.TrackerFixes == nil {
			t.Errorf("%s: no TrackerFixes", l.Feed.Name)
		}
		if got, want := l.Data.Tracker == nil, l.Feed.Name == "debian"; got != want {
			t.Errorf("%s: read from the parsed copy = %v, want %v", l.Feed.Name, got, want)
		}
	}
	if copies, _ := filepath.Glob(filepath.Join(c.Dir, "parsed", "local.*")); len(copies) > 0 {
		t.Errorf("file feed copied into the cache: %v", copies)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files beside the file feed: %v", entries)
	}
}
