package feeds

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/config"
)

// fixRows lists what matching reads of a tracker: source, CVE, release,
// fixed version.
func fixRows(t *TrackerFixes) [][4]string {
	var out [][4]string
	start := uint32(0)
	for i, end := range t.SourceEnds {
		for r := start; r < end; r++ {
			out = append(out, [4]string{t.Str(t.Sources[i]), t.Str(t.CVE[r]), t.Str(t.Release[r]), t.Str(t.Fixed[r])})
		}
		start = end
	}
	return out
}

// TestReduceTracker: the reduced tracker is a tracker file that parses
// back to the rows matching reads, and nothing else.
func TestReduceTracker(t *testing.T) {
	odd := []byte(`{
		"libx": {
			"CVE-2024-2": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.2-1", "urgency": "high"}, "bullseye": {"status": "resolved", "fixed_version": "0"}}, "description": "long text"},
			"CVE-2024-1": {"releases": {"bookworm": {"status": "open"}, "trixie": {"status": "undetermined"}, "sid": {"status": "resolved"}}},
			"TEMP-0000001-ABCDEF": {"releases": {"bookworm": {"status": "open"}}}
		},
		"liby": {"CVE-2024-3": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "0"}}}},
		"libz": {"CVE-2024-4": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1:2.0-1+deb12u1"}}}}
	}`)
	for name, b := range map[string][]byte{"fixture": fixture(t, "debian-tracker.json"), "odd": odd} {
		tr, err := ParseTracker(b)
		if err != nil {
			t.Fatal(err)
		}
		want := NewTrackerFixes(tr)
		reduced := ReduceTracker(want)
		back, err := ParseTracker(reduced)
		if err != nil {
			t.Fatalf("%s: the reduced tracker does not parse: %v\n%s", name, err, reduced)
		}
		if got := NewTrackerFixes(back); !reflect.DeepEqual(fixRows(got), fixRows(want)) {
			t.Errorf("%s: rows after reduction\n got %q\nwant %q", name, fixRows(got), fixRows(want))
		}
		if len(reduced) >= len(b) {
			t.Errorf("%s: reduced to %d bytes from %d", name, len(reduced), len(b))
		}
	}
	if got := string(ReduceTracker(NewTrackerFixes(mustTracker(t, odd)))); got != `{"libx":{"CVE-2024-1":{"releases":{"bookworm":{"status":"open"},"sid":{"status":"open"}}},"CVE-2024-2":{"releases":{"bookworm":{"status":"resolved","fixed_version":"1.2-1"}}}},"libz":{"CVE-2024-4":{"releases":{"bookworm":{"status":"resolved","fixed_version":"1:2.0-1+deb12u1"}}}}}` {
		t.Errorf("reduced odd tracker:\n%s", got)
	}
}

func mustTracker(t *testing.T, b []byte) Tracker {
	t.Helper()
	tr, err := ParseTracker(b)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestCompact: every feed type's copy decompresses to a file of its type
// that parses to the same data; trackers and OSV records are reduced, KEV
// and EPSS kept as fetched (a gzipped EPSS file as is); the same input
// gives the same bytes.
func TestCompact(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(fixture(t, "epss.csv"))
	zw.Close()
	for _, c := range []struct {
		typ, name string
		data      []byte
		form      string
	}{
		{config.FeedDebianTracker, "debian-tracker.json", fixture(t, "debian-tracker.json"), FormReduced},
		{config.FeedOSV, "osv-debian.json", fixture(t, "osv-debian.json"), FormReduced},
		{config.FeedOSV, "osv-ubuntu.zip", osvUbuntuZip(t), FormReduced},
		{config.FeedKEV, "kev.json", fixture(t, "kev.json"), FormAsFetched},
		{config.FeedEPSS, "epss.csv", fixture(t, "epss.csv"), FormAsFetched},
		{config.FeedEPSS, "epss.csv.gz", gz.Bytes(), FormAsFetched},
	} {
		p, err := Parse(c.typ, c.data)
		if err != nil {
			t.Fatal(err)
		}
		out, form, err := Compact(c.typ, c.data, p)
		if err != nil || form != c.form {
			t.Fatalf("%s: form %q, %v; want %q", c.name, form, err, c.form)
		}
		again, _, _ := Compact(c.typ, c.data, p)
		if !bytes.Equal(out, again) {
			t.Errorf("%s: two copies of the same feed differ", c.name)
		}
		file, err := ReadCompact(out)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.form == FormAsFetched && !bytes.Equal(file, fixture(t, "epss.csv")) && !bytes.Equal(file, c.data) {
			t.Errorf("%s: the copy is not the file as fetched", c.name)
		}
		q, err := Parse(c.typ, file)
		if err != nil {
			t.Fatalf("%s: the copy does not parse: %v", c.name, err)
		}
		switch {
		case p.TrackerFixes != nil:
			if !reflect.DeepEqual(fixRows(q.TrackerFixes), fixRows(p.TrackerFixes)) {
				t.Errorf("%s: tracker rows differ", c.name)
			}
		case p.OSV != nil:
			if !reflect.DeepEqual(q.OSV, p.OSV) {
				t.Errorf("%s: records differ:\n got %+v\nwant %+v", c.name, q.OSV, p.OSV)
			}
		case p.KEV != nil:
			if !reflect.DeepEqual(q.KEV, p.KEV) {
				t.Errorf("%s: KEV differs", c.name)
			}
		case p.EPSS != nil:
			if !reflect.DeepEqual(q.EPSS, p.EPSS) {
				t.Errorf("%s: EPSS differs", c.name)
			}
		}
	}
	if _, err := ReadCompact([]byte("not gzip")); err == nil {
		t.Error("ReadCompact read a file that is not gzip")
	}
}

// osvUbuntuZip zips the Ubuntu records as osv.dev's Ubuntu/all.zip holds
// them: one record a file, by id.
func osvUbuntuZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names, err := filepath.Glob(filepath.Join("testdata", "osv-ubuntu", "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("osv-ubuntu fixtures: %v %v", names, err)
	}
	for _, n := range names {
		w, err := zw.Create(filepath.Base(n))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParseOSVUbuntu: Canonical's records, zipped as osv.dev serves an
// ecosystem: a USN names its CVEs by Ubuntu's own ids (UBUNTU-CVE-…), a
// CVE record carries the CVSS vector, and each affected package is per
// ecosystem ("Ubuntu:22.04:LTS", "Ubuntu:Pro:18.04:LTS").
func TestParseOSVUbuntu(t *testing.T) {
	recs, err := ParseOSV(osvUbuntuZip(t))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*OSVRecord{}
	for i := range recs {
		byID[recs[i].ID] = &recs[i]
	}
	usn, cve := byID["USN-6409-1"], byID["CVE-2023-4863"]
	if len(recs) != 2 || usn == nil || cve == nil {
		t.Fatalf("records: %+v", recs)
	}
	if got := usn.CVEs(); !slices.Equal(got, []string{"CVE-2023-4527", "CVE-2023-4911"}) {
		t.Errorf("USN-6409-1 CVEs = %v", got)
	}
	if a := usn.Affected; len(a) != 1 || a[0].Package.Ecosystem != "Ubuntu:22.04:LTS" || a[0].Package.Name != "glibc" ||
		a[0].Ranges[0].Events[1].Fixed != "2.35-0ubuntu3.4" {
		t.Errorf("USN-6409-1 affected: %+v", a)
	}
	if score, vec := cve.CVSS(); score != 8.8 || vec != "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H" {
		t.Errorf("CVE-2023-4863 CVSS %v %s", score, vec)
	}
	var ecos []string
	for _, a := range cve.Affected {
		ecos = append(ecos, a.Package.Ecosystem)
	}
	if !slices.Equal(ecos, []string{"Ubuntu:Pro:18.04:LTS", "Ubuntu:20.04:LTS", "Ubuntu:22.04:LTS"}) {
		t.Errorf("CVE-2023-4863 ecosystems: %v", ecos)
	}
	if got := (&OSVRecord{ID: "DEBIAN-CVE-2024-1234", Aliases: []string{"GHSA-x-CVE-2024-1"}}).CVEs(); !slices.Equal(got, []string{"CVE-2024-1234"}) {
		t.Errorf("DEBIAN-CVE id: %v", got)
	}
	// A withdrawn record is dropped; a zip with a broken record is refused.
	recs, err = ParseOSV([]byte(`[{"id": "USN-1-1"}, {"id": "USN-2-1", "withdrawn": "2024-01-01T00:00:00Z"}]`))
	if err != nil || len(recs) != 1 || recs[0].ID != "USN-1-1" {
		t.Errorf("withdrawn: %+v %v", recs, err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("USN-3-1.json")
	w.Write([]byte(`{"id": "USN-3-1", "affected": [`))
	zw.Close()
	if _, err := ParseOSV(buf.Bytes()); err == nil {
		t.Error("a zip with a truncated record parsed")
	}
}

// TestLoadWithCopies: a url feed the cache does not hold is read from its
// copy, which says where it came from; a cached copy fetched later wins
// over it, an older one loses; a copy of another URL is not used.
func TestLoadWithCopies(t *testing.T) {
	kev := fixture(t, "kev.json")
	fs := &feedServer{}
	fs.set(kev, `"v1"`, 0)
	srv := httptest.NewTLSServer(fs)
	defer srv.Close()
	url := srv.URL + "/kev.json"
	cfg := &config.Config{Dir: t.TempDir(), Feeds: map[string]*config.Feed{"kev": {Name: "kev", Type: config.FeedKEV, URL: url}}}
	copyAt := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	copyURL := url
	copies := func(name string) (*Copy, error) {
		if name != "kev" {
			return nil, nil
		}
		return &Copy{URL: copyURL, FetchedAt: copyAt, Date: copyAt, Where: "reports branch origin/tend/reports",
			Read: func() ([]byte, error) { return kev, nil }}, nil
	}
	cache := &Cache{Dir: filepath.Join(cfg.Dir, DefaultDir), Client: srv.Client(),
		Now: func() time.Time { return time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC) }}

	loaded, errs := LoadWith(cfg, cache, copies)
	if len(errs) != 0 || len(loaded) != 1 || loaded[0].Where != "reports branch origin/tend/reports" ||
		!loaded[0].FetchedAt.Equal(copyAt) || loaded[0].Data.KEV == nil {
		t.Fatalf("without a cache: %+v %v", loaded, errs)
	}
	// The KEV catalog gives its own date.
	if want := time.Date(2025, 8, 25, 17, 4, 19, 979600000, time.UTC); !loaded[0].Date.Equal(want) {
		t.Errorf("date %v, want %v", loaded[0].Date, want)
	}
	// An older cached copy (fetched 2026-11-30) loses to the branch's.
	if r := cache.Update(context.Background(), cfg.Feeds["kev"]); r.Err != nil {
		t.Fatal(r.Err)
	}
	if loaded, _ := LoadWith(cfg, cache, copies); len(loaded) != 1 || loaded[0].Where == "" {
		t.Errorf("older cache: %+v", loaded)
	}
	// A newer copy that does not parse: the cached one is read.
	good := kev
	kev = []byte(`{"title": "truncated`)
	if loaded, errs := LoadWith(cfg, cache, copies); len(loaded) != 1 || loaded[0].Where != "" || len(errs) != 0 {
		t.Errorf("broken copy over a cache: %+v %v", loaded, errs)
	}
	kev = good
	// A newer cached copy wins.
	copyAt = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if loaded, _ := LoadWith(cfg, cache, copies); len(loaded) != 1 || loaded[0].Where != "" || loaded[0].Source != cache.dataPath("kev") {
		t.Errorf("newer cache: %+v", loaded)
	}
	// A copy of another URL does not count.
	os.RemoveAll(cache.Dir)
	copyURL = "https://elsewhere.example/kev.json"
	if _, errs := LoadWith(cfg, cache, copies); !errors.Is(errs["kev"], ErrNotFetched) {
		t.Errorf("copy of another URL: %v", errs)
	}
	// A broken copy and no cache: the feed's error says where.
	copyURL, kev = url, []byte(`{"title": "truncated`)
	if _, errs := LoadWith(cfg, cache, copies); errs["kev"] == nil || !strings.Contains(errs["kev"].Error(), "reports branch origin/tend/reports: KEV") {
		t.Errorf("broken copy without a cache: %v", errs)
	}
}
