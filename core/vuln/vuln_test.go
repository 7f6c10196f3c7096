package vuln

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/feeds"
	"github.com/tend-sh/tend/core/model"
)

// testDB indexes the feed fixtures of core/feeds.
func testDB(t testing.TB) *DB {
	t.Helper()
	var loaded []*feeds.Loaded
	for name, typ := range map[string]string{
		"debian-tracker.json": config.FeedDebianTracker, "kev.json": config.FeedKEV,
		"epss.csv": config.FeedEPSS, "osv-debian.json": config.FeedOSV,
	} {
		b, err := os.ReadFile(filepath.Join("..", "feeds", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		p, err := feeds.Parse(typ, b)
		if err != nil {
			t.Fatal(err)
		}
		loaded = append(loaded, &feeds.Loaded{Feed: &config.Feed{Name: name, Type: typ}, Data: p})
	}
	return New(loaded)
}

func bookworm(installed []model.Installed, available []model.Update) *model.Snapshot {
	return &model.Snapshot{Host: "web1", Providers: map[string]*model.ProviderInventory{"apt": {
		Facts: map[string]string{"os": "debian", "release": "12"}, Installed: installed, Available: available,
	}}}
}

func TestAnnotate(t *testing.T) {
	db := testDB(t)
	snap := bookworm(
		[]model.Installed{
			{ID: "libwebp7", Name: "libwebp7", Version: "1.2.4-0.2", Source: "libwebp"},
			{ID: "libc6", Name: "libc6", Version: "2.36-9+deb12u1", Source: "glibc"},
			{ID: "libc-bin", Name: "libc-bin", Version: "2.36-9+deb12u1", Source: "glibc"},
		},
		[]model.Update{
			{Name: "libwebp7", From: "1.2.4-0.2", To: "1.2.4-0.2+deb12u1", CVEs: []string{"CVE-2099-0001"}},
			// An update that does not reach the fix closes nothing.
			{Name: "libc6", From: "2.36-9+deb12u1", To: "2.36-9+deb12u2"},
		})
	db.Annotate(map[string]*model.Snapshot{"web1": snap})
	inv := snap.Providers["apt"]
	// CVE-2023-1999 was fixed in 1.2.4-0.2, which is installed.
	if got, want := inv.Available[0].CVEs, []string{"CVE-2023-4863", "CVE-2099-0001"}; !slices.Equal(got, want) {
		t.Errorf("libwebp7 update CVEs = %v, want %v (the provider's kept)", got, want)
	}
	if len(inv.Available[1].CVEs) != 0 {
		t.Errorf("libc6 2.36-9+deb12u2 fixes %v; its fix is 2.36-9+deb12u3", inv.Available[1].CVEs)
	}
	want := []model.OpenCVE{
		{Package: "libc-bin", Version: "2.36-9+deb12u1", CVE: "CVE-2019-1010022"},
		{Package: "libc-bin", Version: "2.36-9+deb12u1", CVE: "CVE-2023-4911"},
		{Package: "libc6", Version: "2.36-9+deb12u1", CVE: "CVE-2019-1010022"},
		{Package: "libc6", Version: "2.36-9+deb12u1", CVE: "CVE-2023-4911"},
	}
	if !slices.Equal(inv.OpenCVEs.List(), want) {
		t.Errorf("open CVEs = %v\nwant %v", inv.OpenCVEs.List(), want)
	}

	// Annotating twice changes nothing.
	db.Annotate(map[string]*model.Snapshot{"web1": snap})
	if len(inv.Available[0].CVEs) != 2 || inv.OpenCVEs.Len() != 4 {
		t.Errorf("second annotation: %v, %v", inv.Available[0].CVEs, inv.OpenCVEs)
	}
}

func TestAnnotateReleases(t *testing.T) {
	db := testDB(t)
	// Bullseye's fix is another version; the binary name stands in for a
	// source the provider does not report.
	snap := bookworm([]model.Installed{{ID: "libwebp", Name: "libwebp", Version: "0.6.1-2.1+deb11u1"}},
		[]model.Update{{Name: "libwebp", From: "0.6.1-2.1+deb11u1", To: "0.6.1-2.1+deb11u2"}})
	snap.Providers["apt"].Facts = map[string]string{"os": "debian", "release": "11"}
	db.Annotate(map[string]*model.Snapshot{"h": snap})
	if got := snap.Providers["apt"].Available[0].CVEs; !slices.Equal(got, []string{"CVE-2023-4863"}) {
		t.Errorf("bullseye: %v", got)
	}
	// Not Debian or Ubuntu: left alone.
	win := bookworm([]model.Installed{{Name: "libwebp", Version: "1"}}, []model.Update{{Name: "libwebp", From: "1", To: "2"}})
	win.Providers["apt"].Facts = map[string]string{"os": "windows"}
	db.Annotate(map[string]*model.Snapshot{"w": win})
	if inv := win.Providers["apt"]; len(inv.Available[0].CVEs) != 0 || inv.OpenCVEs.Len() != 0 {
		t.Errorf("windows host matched: %+v", inv)
	}
}

func TestFacts(t *testing.T) {
	db := testDB(t)
	v, ok := db.Facts("CVE-2023-4863")
	want := model.Vuln{ID: "CVE-2023-4863", CVSS: 8.8, CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
		EPSS: 0.99979, EPSSPercentile: 0.9998, HasEPSS: true, KEV: true, KEVAdded: "2023-09-13", KEVDue: "2023-10-04"}
	if !ok || v != want {
		t.Errorf("facts:\n got %+v\nwant %+v", v, want)
	}
	if v, _ := db.Facts("CVE-2019-1010022"); v.KEV || v.CVSS != 0 || !v.HasEPSS {
		t.Errorf("CVE-2019-1010022: %+v", v)
	}
}

// TestAnnotateConcurrently: tend scan annotates hosts as they finish, in
// parallel (run with -race).
func TestAnnotateConcurrently(t *testing.T) {
	db := testDB(t)
	var wg sync.WaitGroup
	snaps := make([]*model.Snapshot, 8)
	for i := range snaps {
		snaps[i] = bookworm([]model.Installed{{ID: "libwebp7", Name: "libwebp7", Version: "1.2.4-0.2", Source: "libwebp"},
			{ID: "libc6", Name: "libc6", Version: "2.36-9+deb12u1", Source: "glibc"}},
			[]model.Update{{Name: "libwebp7", From: "1.2.4-0.2", To: "1.2.4-0.2+deb12u1"}})
		wg.Add(1)
		go func() {
			defer wg.Done()
			db.Annotate(map[string]*model.Snapshot{"h": snaps[i]})
		}()
	}
	wg.Wait()
	for _, s := range snaps {
		if inv := s.Providers["apt"]; len(inv.Available[0].CVEs) != 1 || inv.OpenCVEs.Len() != 2 {
			t.Errorf("annotated: %v, %v", inv.Available[0].CVEs, inv.OpenCVEs)
		}
	}
}

// TestOSVRangeBounds: an OSV range affects versions from its introduced
// event, up to its fix or, with none, up to and including last_affected.
// The records are written for the bounds they test.
func TestOSVRangeBounds(t *testing.T) {
	recs, err := feeds.ParseOSV([]byte(`[
	  {"id": "DEBIAN-CVE-2099-0001", "affected": [{"package": {"ecosystem": "Debian:12", "name": "demo"},
	    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0-1"}, {"fixed": "2.0-3"}]}]}]},
	  {"id": "DEBIAN-CVE-2099-0002", "affected": [{"package": {"ecosystem": "Debian:12", "name": "demo"},
	    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "1.5-1"}]}]}]}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	loaded := []*feeds.Loaded{{Feed: &config.Feed{Name: "osv", Type: config.FeedOSV}, Data: &feeds.Parsed{OSV: recs}}}
	db := New(loaded)
	snaps := map[string]*model.Snapshot{}
	var list []*model.Snapshot
	for _, v := range []string{"1.0-1", "1.5-1", "1.8-1", "2.0-2", "2.0-3"} {
		snaps[v+" alone"] = bookworm([]model.Installed{{ID: "demo", Name: "demo", Version: v}}, nil)
		snaps[v] = bookworm([]model.Installed{{ID: "demo", Name: "demo", Version: v}},
			[]model.Update{{Name: "demo", From: v, To: "2.0-3"}})
		snaps[v].Host, snaps[v+" alone"].Host = v, v+" alone"
		list = append(list, snaps[v], snaps[v+" alone"])
	}
	sameAsReference(t, db, refMatcher{loaded}, list)
	db.Annotate(snaps)
	for v, want := range map[string]struct{ open, fixed []string }{
		// Past last_affected, the update closes what has no fix.
		"1.0-1": {fixed: []string{"CVE-2099-0002"}},
		"1.5-1": {fixed: []string{"CVE-2099-0002"}}, // last_affected is affected
		"1.8-1": {},                                 // above last_affected, below introduced
		"2.0-2": {fixed: []string{"CVE-2099-0001"}},
		"2.0-3": {},
	} {
		inv := snaps[v].Providers["apt"]
		var open []string
		for _, o := range inv.OpenCVEs.List() {
			open = append(open, o.CVE)
		}
		if !slices.Equal(open, want.open) {
			t.Errorf("demo %s: open %v, want %v", v, open, want.open)
		}
		if got := inv.Available[0].CVEs; !slices.Equal(got, want.fixed) {
			t.Errorf("demo %s → 2.0-3 fixes %v, want %v", v, got, want.fixed)
		}
		// With no update, what the update would fix is open.
		open = nil
		for _, o := range snaps[v+" alone"].Providers["apt"].OpenCVEs.List() {
			open = append(open, o.CVE)
		}
		if wantOpen := append(slices.Clone(want.open), want.fixed...); !slices.Equal(open, wantOpen) {
			t.Errorf("demo %s, no update: open %v, want %v", v, open, wantOpen)
		}
	}
}

// TestMatchRealExcerpts matches hosts against the feed fixtures copied
// from published data: the 2019 tracker excerpt on buster, and Debian's
// OSV record DSA-3029-1 on wheezy (no tracker release: OSV alone).
func TestMatchRealExcerpts(t *testing.T) {
	var loaded []*feeds.Loaded
	for name, typ := range map[string]string{"debian-tracker-2019.json": config.FeedDebianTracker, "osv-debian-DSA-3029-1.json": config.FeedOSV} {
		loaded = append(loaded, &feeds.Loaded{Feed: &config.Feed{Name: name, Type: typ}, Data: parseFixture(t, name, typ)})
	}
	db := New(loaded)
	on := func(release string, installed []model.Installed, available []model.Update) *model.Snapshot {
		s := bookworm(installed, available)
		s.Providers["apt"].Facts = map[string]string{"os": "debian", "release": release}
		return s
	}
	buster := on("10", []model.Installed{
		{ID: "libjs-prototype", Name: "libjs-prototype", Version: "1.6.0.1-1", Source: "prototypejs"},
		{ID: "python-scipy", Name: "python-scipy", Version: "0.12.0-2"},
	}, []model.Update{{Name: "python-scipy", From: "0.12.0-2", To: "1.1.0-7"}})
	wheezy := on("7", []model.Installed{{ID: "nginx", Name: "nginx", Version: "1.2.1-2.2+wheezy2"}},
		[]model.Update{{Name: "nginx", From: "1.2.1-2.2+wheezy2", To: "1.2.1-2.2+wheezy3"}})
	db.Annotate(map[string]*model.Snapshot{"buster": buster, "wheezy": wheezy})
	b := buster.Providers["apt"]
	// CVE-2007-2383 is fixed in "0": never in buster's prototypejs.
	if want := []model.OpenCVE{{Package: "libjs-prototype", Version: "1.6.0.1-1", CVE: "CVE-2008-7220"}}; !slices.Equal(b.OpenCVEs.List(), want) {
		t.Errorf("buster open CVEs = %v, want %v", b.OpenCVEs.List(), want)
	}
	if got := b.Available[0].CVEs; !slices.Equal(got, []string{"CVE-2013-4251"}) {
		t.Errorf("python-scipy update fixes %v", got)
	}
	w := wheezy.Providers["apt"]
	if got := w.Available[0].CVEs; !slices.Equal(got, []string{"CVE-2014-3616"}) || w.OpenCVEs.Len() != 0 {
		t.Errorf("wheezy: nginx update fixes %v, open %v", got, w.OpenCVEs.List())
	}
}

// TestUbuntuPro: Canonical's record of CVE-2023-4863 fixes libwebp for
// 18.04 only in Ubuntu Pro (ESM). An 18.04 host is shown the CVE open
// while no Pro update is offered, and fixed by the ESM update when it is;
// a CVE that the release's own ecosystem names is matched by that record
// alone, whatever Pro's says.
func TestUbuntuPro(t *testing.T) {
	var recs []feeds.OSVRecord
	for _, name := range []string{"CVE-2023-4863.json", "USN-6409-1.json"} {
		r := parseFixture(t, filepath.Join("osv-ubuntu", name), config.FeedOSV).OSV
		recs = append(recs, r...)
	}
	both, err := feeds.ParseOSV([]byte(`{"id": "UBUNTU-CVE-2099-0003", "affected": [
	  {"package": {"ecosystem": "Ubuntu:22.04:LTS", "name": "demo"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0-1ubuntu1"}]}]},
	  {"package": {"ecosystem": "Ubuntu:Pro:22.04:LTS", "name": "demo"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0-1ubuntu1+esm1"}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	loaded := []*feeds.Loaded{{Feed: &config.Feed{Name: "ubuntu", Type: config.FeedOSV}, Data: &feeds.Parsed{OSV: append(recs, both...)}}}
	db := New(loaded)
	on := func(host, release string, installed []model.Installed, available []model.Update) *model.Snapshot {
		return &model.Snapshot{Host: host, Providers: map[string]*model.ProviderInventory{"apt": {
			Facts: map[string]string{"os": "ubuntu", "release": release}, Installed: installed, Available: available}}}
	}
	webp := []model.Installed{{ID: "libwebp6", Name: "libwebp6", Version: "0.6.1-2ubuntu0.18.04.2", Source: "libwebp"}}
	snaps := map[string]*model.Snapshot{
		"no-pro": on("no-pro", "18.04", webp, nil),
		"pro":    on("pro", "18.04", webp, []model.Update{{Name: "libwebp6", From: "0.6.1-2ubuntu0.18.04.2", To: "0.6.1-2ubuntu0.18.04.2+esm1"}}),
		"jammy":  on("jammy", "22.04", []model.Installed{{ID: "demo", Name: "demo", Version: "1.0-1ubuntu1"}}, nil),
	}
	var list []*model.Snapshot
	for _, s := range snaps {
		list = append(list, s)
	}
	sameAsReference(t, db, refMatcher{loaded}, list)
	db.Annotate(snaps)
	if got := snaps["no-pro"].Providers["apt"].OpenCVEs.List(); len(got) != 1 || got[0].CVE != "CVE-2023-4863" {
		t.Errorf("18.04 without the ESM update: open %v, want CVE-2023-4863", got)
	}
	if inv := snaps["pro"].Providers["apt"]; !slices.Equal(inv.Available[0].CVEs, []string{"CVE-2023-4863"}) || inv.OpenCVEs.Len() != 0 {
		t.Errorf("18.04 with the ESM update: it fixes %v, open %v", inv.Available[0].CVEs, inv.OpenCVEs.List())
	}
	if got := snaps["jammy"].Providers["apt"].OpenCVEs.List(); len(got) != 0 {
		t.Errorf("22.04 at the release's own fix: open %v (Pro's later fix counted)", got)
	}
}
