package vuln

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/debversion"
	"github.com/tend-sh/tend/core/feeds"
	"github.com/tend-sh/tend/core/model"
)

// refMatcher is the plain, slow statement of what DB.Annotate computes,
// read straight from the parsed feeds with no index or cache: the fast
// matcher must give identical snapshots.
type refMatcher struct{ loaded []*feeds.Loaded }

// refFix is a CVE of a source package: affected from introduced ("" or
// "0": from the start) below fixed, or with no fix up to and including
// lastAffected, or with neither every version after introduced.
type refFix struct{ cve, fixed, introduced, lastAffected string }

func (f refFix) affected(v string) bool {
	after := f.introduced == "" || f.introduced == "0" || debversion.Compare(v, f.introduced) >= 0
	if f.fixed != "" {
		return after && debversion.Compare(v, f.fixed) < 0
	}
	if f.lastAffected != "" {
		return after && debversion.Compare(v, f.lastAffected) <= 0
	}
	return after
}

// ended reports whether v is beyond the affected range's end, a fix or a
// last affected version.
func (f refFix) ended(v string) bool {
	if f.fixed != "" {
		return debversion.Compare(v, f.fixed) >= 0
	}
	return f.lastAffected != "" && debversion.Compare(v, f.lastAffected) > 0
}

// fixes lists the CVEs of a source package on a release, tracker first
// (by CVE), then OSV ranges in feed order.
func (r refMatcher) fixes(src, codename string, ecos []string) []refFix {
	var out []refFix
	if codename != "" {
		type issue struct {
			cve string
			rel feeds.TrackerRelease
			ok  bool
		}
		var issues []issue
		for _, l := range r.loaded {
			for id, is := range l.Data.Tracker[src] {
				if feeds.IsCVE(id) {
					rel, ok := is.Releases[codename]
					issues = append(issues, issue{id, rel, ok})
				}
			}
		}
		slices.SortStableFunc(issues, func(a, b issue) int { return strings.Compare(a.cve, b.cve) })
		for _, is := range issues {
			if !is.ok || is.rel.FixedVersion == "0" {
				continue
			}
			switch is.rel.Status {
			case "resolved":
				out = append(out, refFix{cve: is.cve, fixed: is.rel.FixedVersion})
			case "open":
				out = append(out, refFix{cve: is.cve})
			}
		}
	}
	// Ubuntu Pro's records count for the CVEs the release's own do not
	// name for the package.
	named := map[string]bool{}
	for _, eco := range ecos {
		pro := strings.HasPrefix(eco, "ubuntu:pro:")
		for _, l := range r.loaded {
			for i := range l.Data.OSV {
				rec := &l.Data.OSV[i]
				for _, a := range rec.Affected {
					if strings.ToLower(a.Package.Ecosystem) != eco || a.Package.Name != src {
						continue
					}
					for _, rg := range a.Ranges {
						if rg.Type != "ECOSYSTEM" {
							continue
						}
						open, introduced := false, ""
						for _, e := range rg.Events {
							switch {
							case e.Introduced != "":
								open, introduced = true, e.Introduced
							case e.Fixed != "" || e.LastAffected != "":
								for _, id := range rec.CVEs() {
									if pro && named[id] {
										continue
									}
									named[id] = named[id] || !pro
									out = append(out, refFix{id, e.Fixed, introduced, e.LastAffected})
								}
								open, introduced = false, ""
							}
						}
						if open {
							for _, id := range rec.CVEs() {
								if pro && named[id] {
									continue
								}
								named[id] = named[id] || !pro
								out = append(out, refFix{cve: id, introduced: introduced})
							}
						}
					}
				}
			}
		}
	}
	return out
}

func (r refMatcher) annotate(inv *model.ProviderInventory) {
	codename, ecos := release(inv.Facts)
	if codename == "" && len(ecos) == 0 {
		return
	}
	installed := map[string]*model.Installed{}
	for i := range inv.Installed {
		installed[inv.Installed[i].Name] = &inv.Installed[i]
	}
	fixedBy := map[string][]string{} // package → CVEs its update fixes
	for i := range inv.Available {
		u := &inv.Available[i]
		src, from := u.Name, u.From
		if it := installed[u.Name]; it != nil {
			src, from = sourceOf(it)
		}
		if u.From == "" {
			from = ""
		}
		to := stripBinNMU(u.To)
		for _, f := range r.fixes(src, codename, ecos) {
			if (from == "" || f.affected(from)) && f.ended(to) {
				if !slices.Contains(u.CVEs, f.cve) {
					u.CVEs = append(u.CVEs, f.cve)
				}
				fixedBy[u.Name] = append(fixedBy[u.Name], f.cve)
			}
		}
		slices.Sort(u.CVEs)
	}
	var open []model.OpenCVE
	for i := range inv.Installed {
		it := &inv.Installed[i]
		src, version := sourceOf(it)
		var seen []string
		for _, f := range r.fixes(src, codename, ecos) {
			if slices.Contains(seen, f.cve) {
				continue
			}
			if f.affected(version) {
				seen = append(seen, f.cve)
				if !slices.Contains(fixedBy[it.Name], f.cve) {
					open = append(open, model.OpenCVE{Package: it.Name, Version: it.Version, CVE: f.cve})
				}
			}
		}
	}
	slices.SortStableFunc(open, func(a, b model.OpenCVE) int {
		if c := strings.Compare(a.Package, b.Package); c != 0 {
			return c
		}
		return strings.Compare(a.CVE, b.CVE)
	})
	inv.OpenCVEs = model.OpenCVEsOf(open)
}

// cloneSnap deep-copies a snapshot through JSON, as snapshots are stored.
func cloneSnap(t testing.TB, s *model.Snapshot) *model.Snapshot {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out model.Snapshot
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// sameAsReference annotates copies of snaps with db and with the
// reference and fails on any difference, in the model or its JSON.
func sameAsReference(t *testing.T, db *DB, ref refMatcher, snaps []*model.Snapshot) (open int) {
	t.Helper()
	fast, slow := map[string]*model.Snapshot{}, map[string]*model.Snapshot{}
	for _, s := range snaps {
		fast[s.Host], slow[s.Host] = cloneSnap(t, s), cloneSnap(t, s)
	}
	db.Annotate(fast)
	for _, s := range slow {
		for _, inv := range s.Providers {
			ref.annotate(inv)
		}
	}
	for host := range slow {
		f, s := fast[host], slow[host]
		for name := range s.Providers {
			open += s.Providers[name].OpenCVEs.Len()
		}
		if !reflect.DeepEqual(f, s) {
			for name := range s.Providers {
				fi, si := f.Providers[name], s.Providers[name]
				if !reflect.DeepEqual(fi.Available, si.Available) {
					t.Errorf("%s %s updates:\n got %+v\nwant %+v", host, name, fi.Available, si.Available)
				}
				if !reflect.DeepEqual(fi.OpenCVEs, si.OpenCVEs) {
					t.Errorf("%s %s open CVEs (%d, want %d):\n got %.2000v\nwant %.2000v", host, name, fi.OpenCVEs.Len(), si.OpenCVEs.Len(), fi.OpenCVEs.List(), si.OpenCVEs.List())
				}
			}
			t.Fatalf("%s: annotation differs from the reference", host)
		}
		fb, _ := json.Marshal(f)
		sb, _ := json.Marshal(s)
		if string(fb) != string(sb) {
			t.Fatalf("%s: JSON differs from the reference", host)
		}
	}
	return open
}

func fixtureLoaded(t *testing.T) []*feeds.Loaded {
	t.Helper()
	var loaded []*feeds.Loaded
	for _, name := range []string{"debian-tracker.json", "osv-debian.json"} {
		typ := config.FeedDebianTracker
		if strings.HasPrefix(name, "osv") {
			typ = config.FeedOSV
		}
		loaded = append(loaded, &feeds.Loaded{Feed: &config.Feed{Name: name, Type: typ}, Data: parseFixture(t, name, typ)})
	}
	return loaded
}

// TestMatchesReferenceFixtures: on the feed fixtures, every kind of host
// (source reported or not, update reaching the fix or not, releases with
// and without a codename, Ubuntu, not Debian) matches as the reference does.
func TestMatchesReferenceFixtures(t *testing.T) {
	loaded := fixtureLoaded(t)
	db, ref := New(loaded), refMatcher{loaded}
	var snaps []*model.Snapshot
	versions := map[string][]string{
		"libwebp": {"0.6.1-2.1", "0.6.1-2.1+deb11u1", "0.6.1-2.1+deb11u2", "1.2.4-0.2", "1.2.4-0.2+deb12u1", "1.3.0-1"},
		"glibc":   {"2.31-13", "2.36-9", "2.36-9+deb12u1", "2.36-9+deb12u3", "2.36-9+deb12u4"},
	}
	bins := map[string][]string{"libwebp": {"libwebp7", "libwebpdemux2"}, "glibc": {"libc6", "libc-bin"}}
	facts := []map[string]string{
		{"os": "debian", "release": "12"}, {"os": "debian", "release": "11"},
		{"os": "debian", "release": "12", "codename": "bookworm"}, {"os": "debian", "release": "13"},
		{"os": "ubuntu", "release": "22.04"}, {"os": "windows"},
	}
	h := 0
	for _, f := range facts {
		for vi := 0; vi < 6; vi++ {
			inv := &model.ProviderInventory{Facts: f}
			for _, src := range []string{"glibc", "libwebp"} {
				vs := versions[src]
				from := vs[vi%len(vs)]
				for bi, bin := range bins[src] {
					it := model.Installed{ID: bin, Name: bin, Version: from}
					if bi == 0 || vi%2 == 0 {
						it.Source = src // else the binary's name stands in
					}
					if vi == 3 {
						it.SourceVersion = vs[0] // a binNMU-like split
					}
					inv.Installed = append(inv.Installed, it)
					for _, to := range vs {
						if debversion.Compare(to, from) > 0 {
							u := model.Update{Name: bin, From: from, To: to}
							if vi == 4 {
								u.To += "+b1"
							}
							if vi == 5 {
								u.From = ""
								u.CVEs = []string{"CVE-2099-0001"}
							}
							inv.Available = append(inv.Available, u)
							break
						}
					}
				}
			}
			slices.SortFunc(inv.Installed, func(a, b model.Installed) int { return strings.Compare(a.Name, b.Name) })
			// An update of a package not installed.
			inv.Available = append(inv.Available, model.Update{Name: "libwebp", From: "0.6.1-2.1", To: "1.2.4-0.2+deb12u1"})
			snaps = append(snaps, &model.Snapshot{Host: fmt.Sprintf("h%02d", h), Providers: map[string]*model.ProviderInventory{"apt": inv}})
			h++
		}
	}
	// Installed packages out of order, and one name twice (two
	// architectures at different versions).
	odd := cloneSnap(t, snaps[1])
	odd.Host = "odd"
	inv := odd.Providers["apt"]
	slices.Reverse(inv.Installed)
	inv.Installed = append(inv.Installed, model.Installed{ID: "libc6:i386", Name: "libc6", Version: "2.31-13", Source: "glibc"})
	snaps = append(snaps, odd)
	// Installed packages out of order, the update of one named like
	// another source package: matched by its own source only.
	snaps = append(snaps, &model.Snapshot{Host: "misnamed", Providers: map[string]*model.ProviderInventory{"apt": {
		Facts: map[string]string{"os": "debian", "release": "12"},
		Installed: []model.Installed{
			{ID: "zlib1g", Name: "zlib1g", Version: "1"},
			{ID: "libwebp", Name: "libwebp", Version: "0.1", Source: "glibc", SourceVersion: "2.31-13"},
		},
		Available: []model.Update{{Name: "libwebp", From: "0.1", To: "9.9"}},
	}}})
	// Updates out of order, and two of one package: one that fixes all,
	// beside each the host had.
	for _, from := range []*model.Snapshot{snaps[1], snaps[2], snaps[5]} {
		two := cloneSnap(t, from)
		two.Host = "two-" + from.Host
		inv := two.Providers["apt"]
		for _, u := range inv.Available {
			u.To, u.CVEs = "9.9-9", nil
			inv.Available = append(inv.Available, u)
		}
		slices.Reverse(inv.Available)
		snaps = append(snaps, two)
	}
	// More versions of one source package than are kept without a lock.
	for k := 0; k < 2*maxKnown; k++ {
		v := fmt.Sprintf("2.36-%d", k)
		snaps = append(snaps, &model.Snapshot{Host: "v" + v, Providers: map[string]*model.ProviderInventory{"apt": {
			Facts:     map[string]string{"os": "debian", "release": "12"},
			Installed: []model.Installed{{ID: "libc6", Name: "libc6", Version: v, Source: "glibc"}},
		}}})
	}
	if open := sameAsReference(t, db, ref, snaps); open == 0 {
		t.Fatal("no open CVEs in the fixture fleet: the comparison proves nothing")
	}
}

// TestMatchesReferenceGenerated: on a generated tracker and fleet, both
// the pessimistic and the patched shape, the fast matcher agrees with the
// reference, with the trackers parsed or read from the cache's parsed
// copies.
func TestMatchesReferenceGenerated(t *testing.T) {
	const sources = 400
	gen := genTrackerBytes(t, sources)
	p, err := feeds.Parse(config.FeedDebianTracker, gen)
	if err != nil {
		t.Fatal(err)
	}
	loaded := append(fixtureLoaded(t), &feeds.Loaded{Feed: &config.Feed{Name: "gen", Type: config.FeedDebianTracker}, Data: p})
	ref := refMatcher{loaded}
	cache := &feeds.Cache{Dir: t.TempDir()}
	fixture, err := os.ReadFile(filepath.Join("..", "feeds", "testdata", "debian-tracker.json"))
	if err != nil {
		t.Fatal(err)
	}
	cached := []*feeds.Loaded{loaded[0], loaded[1], loaded[2]}
	for i, raw := range map[int][]byte{0: fixture, 2: gen} {
		for range 2 { // the second reads the copy the first wrote
			d, err := cache.ParseCached(loaded[i].Feed.Name, config.FeedDebianTracker, raw)
			if err != nil {
				t.Fatal(err)
			}
			cached[i] = &feeds.Loaded{Feed: loaded[i].Feed, Data: d}
		}
		if cached[i].Data.Tracker != nil {
			t.Fatalf("%s: not read from the parsed copy", loaded[i].Feed.Name)
		}
	}
	for name, db := range map[string]*DB{"parsed": New(loaded), "cached": New(cached)} {
		for _, patched := range []bool{false, true} {
			var snaps []*model.Snapshot
			for h := 0; h < 6; h++ {
				snaps = append(snaps, genInventoryN(h, sources, 120, patched))
			}
			t.Logf("%s, patched=%v: %d open CVEs", name, patched, sameAsReference(t, db, ref, snaps))
		}
	}
}

func parseFixture(t *testing.T, name, typ string) *feeds.Parsed {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "feeds", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := feeds.Parse(typ, b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
