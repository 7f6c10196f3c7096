// Package vuln matches inventories against the vulnerability feeds: which
// CVEs each available update fixes and which stay open with no fix, per
// source package and release, in Debian version order; and what is known
// of each CVE (CVSS, EPSS, KEV). It does no I/O: the feeds come parsed
// (core/feeds).
package vuln

import (
	"slices"
	"strings"

	"github.com/tend-sh/tend/core/debversion"
	"github.com/tend-sh/tend/core/feeds"
	"github.com/tend-sh/tend/core/model"
)

// debianCodenames maps Debian's VERSION_ID to the codename the tracker
// uses, for os-release files without VERSION_CODENAME.
var debianCodenames = map[string]string{
	"9": "stretch", "10": "buster", "11": "bullseye", "12": "bookworm", "13": "trixie", "14": "forky",
}

// DB is the feeds indexed for matching.
type DB struct {
	// tracker: source package → CVE → release codename → state.
	tracker map[string][]trackerIssue
	// osv: lower-case ecosystem ("debian:12", "ubuntu:22.04:lts") → package → ranges.
	osv   map[string]map[string][]osvRange
	facts map[string]model.Vuln
}

type trackerIssue struct {
	cve      string
	releases map[string]feeds.TrackerRelease
}

type osvRange struct {
	cves              []string
	introduced, fixed string
}

// New indexes the loaded feeds. Later feeds of a kind add to earlier ones.
func New(loaded []*feeds.Loaded) *DB {
	db := &DB{tracker: map[string][]trackerIssue{}, osv: map[string]map[string][]osvRange{}, facts: map[string]model.Vuln{}}
	for _, l := range loaded {
		d := l.Data
		for src, issues := range d.Tracker {
			for id, is := range issues {
				if !feeds.IsCVE(id) {
					continue
				}
				db.tracker[src] = append(db.tracker[src], trackerIssue{cve: id, releases: is.Releases})
			}
		}
		for i := range d.OSV {
			db.addOSV(&d.OSV[i])
		}
		if d.KEV != nil {
			for _, k := range d.KEV.Vulnerabilities {
				v := db.fact(k.CVE)
				v.KEV, v.KEVAdded, v.KEVDue = true, k.DateAdded, k.DueDate
				v.KEVRansomware = strings.EqualFold(k.KnownRansomwareCampaignUse, "Known")
				db.facts[k.CVE] = v
			}
		}
		if d.EPSS != nil {
			for id, s := range d.EPSS.Scores {
				v := db.fact(id)
				v.EPSS, v.EPSSPercentile, v.HasEPSS = s.EPSS, s.Percentile, true
				db.facts[id] = v
			}
		}
	}
	for src := range db.tracker {
		slices.SortFunc(db.tracker[src], func(a, b trackerIssue) int { return strings.Compare(a.cve, b.cve) })
	}
	return db
}

func (db *DB) fact(id string) model.Vuln {
	v, ok := db.facts[id]
	if !ok {
		v.ID = id
	}
	return v
}

func (db *DB) addOSV(r *feeds.OSVRecord) {
	cves := r.CVEs()
	if score, vec := r.CVSS(); vec != "" {
		for _, id := range cves {
			if v := db.fact(id); score > v.CVSS {
				v.CVSS, v.CVSSVector = score, vec
				db.facts[id] = v
			}
		}
	}
	for _, a := range r.Affected {
		eco := strings.ToLower(a.Package.Ecosystem)
		if db.osv[eco] == nil {
			db.osv[eco] = map[string][]osvRange{}
		}
		for _, rg := range a.Ranges {
			if rg.Type != "ECOSYSTEM" {
				continue
			}
			var cur osvRange
			for _, e := range rg.Events {
				switch {
				case e.Introduced != "":
					cur = osvRange{cves: cves, introduced: e.Introduced}
				case e.Fixed != "":
					cur.fixed, cur.cves = e.Fixed, cves
					db.osv[eco][a.Package.Name] = append(db.osv[eco][a.Package.Name], cur)
					cur = osvRange{}
				}
			}
			if cur.introduced != "" {
				db.osv[eco][a.Package.Name] = append(db.osv[eco][a.Package.Name], cur)
			}
		}
	}
}

// Facts returns what the feeds know of a CVE; ok is false when nothing.
func (db *DB) Facts(id string) (model.Vuln, bool) {
	v, ok := db.facts[id]
	return v, ok
}

// AllFacts returns the facts of every CVE the feeds know, by ID.
func (db *DB) AllFacts() map[string]model.Vuln { return db.facts }

// fix is one CVE of a package and the version that fixes it ("" when none
// does yet).
type fix struct {
	cve, fixed string
}

// release says which tracker release and OSV ecosystems an inventory's
// facts name; ok is false for hosts that are not Debian or Ubuntu.
func release(facts map[string]string) (codename string, ecosystems []string) {
	os, rel := strings.ToLower(facts["os"]), facts["release"]
	codename = facts["codename"]
	switch os {
	case "debian":
		if codename == "" {
			codename = debianCodenames[rel]
		}
		ecosystems = []string{"debian:" + rel}
	case "ubuntu":
		codename = "" // the Debian tracker is not Ubuntu's
		ecosystems = []string{"ubuntu:" + rel, "ubuntu:" + rel + ":lts"}
	}
	return codename, ecosystems
}

// fixes lists the CVEs the feeds know for a source package on a host's
// release, each with its fixing version.
func (db *DB) fixes(src, codename string, ecosystems []string) []fix {
	var out []fix
	if codename != "" {
		for _, is := range db.tracker[src] {
			r, ok := is.releases[codename]
			if !ok || r.FixedVersion == "0" {
				continue
			}
			switch r.Status {
			case "resolved":
				out = append(out, fix{is.cve, r.FixedVersion})
			case "open":
				out = append(out, fix{is.cve, ""})
			}
		}
	}
	for _, eco := range ecosystems {
		for _, rg := range db.osv[eco][src] {
			for _, id := range rg.cves {
				out = append(out, fix{id, rg.fixed})
			}
		}
	}
	return out
}

// Annotate matches every Debian or Ubuntu inventory of snaps against the
// feeds: each available update gets, in CVEs, the CVEs it fixes (the
// installed version is older than the fixed version, the update's is not),
// merged with those the provider reported; each inventory's OpenCVEs lists
// the CVEs of installed packages that no available update fixes. Packages
// are matched by source package (the binary name when the provider gives
// none).
func (db *DB) Annotate(snaps map[string]*model.Snapshot) {
	for _, s := range snaps {
		if s == nil {
			continue
		}
		for _, inv := range s.Providers {
			db.annotate(inv)
		}
	}
}

func (db *DB) annotate(inv *model.ProviderInventory) {
	codename, ecos := release(inv.Facts)
	if codename == "" && len(ecos) == 0 {
		return
	}
	type inst struct{ src, srcVersion string }
	byName := make(map[string]inst, len(inv.Installed))
	for _, it := range inv.Installed {
		i := inst{it.Source, it.SourceVersion}
		if i.src == "" {
			i.src = it.Name
		}
		if i.srcVersion == "" {
			i.srcVersion = it.Version
		}
		byName[it.Name] = i
	}
	fixed := map[string]map[string]bool{} // package → CVEs an update fixes
	for i := range inv.Available {
		u := &inv.Available[i]
		in, ok := byName[u.Name]
		if !ok {
			in = inst{src: u.Name}
		}
		// An update's source version is unknown; binNMUs aside, it is the
		// binary's version, and the installed one is compared as dpkg says.
		for _, f := range db.fixes(in.src, codename, ecos) {
			if f.fixed == "" {
				continue
			}
			from := in.srcVersion
			if u.From == "" {
				from = ""
			}
			if (from == "" || debversion.Compare(from, f.fixed) < 0) && debversion.Compare(stripBinNMU(u.To), f.fixed) >= 0 {
				if !slices.Contains(u.CVEs, f.cve) {
					u.CVEs = append(u.CVEs, f.cve)
				}
				if fixed[u.Name] == nil {
					fixed[u.Name] = map[string]bool{}
				}
				fixed[u.Name][f.cve] = true
			}
		}
		slices.Sort(u.CVEs)
	}
	inv.OpenCVEs = nil
	for _, it := range inv.Installed {
		in := byName[it.Name]
		seen := map[string]bool{}
		for _, f := range db.fixes(in.src, codename, ecos) {
			if seen[f.cve] || fixed[it.Name][f.cve] {
				continue
			}
			if f.fixed == "" || debversion.Compare(in.srcVersion, f.fixed) < 0 {
				seen[f.cve] = true
				inv.OpenCVEs = append(inv.OpenCVEs, model.OpenCVE{Package: it.Name, Version: it.Version, CVE: f.cve})
			}
		}
	}
	slices.SortFunc(inv.OpenCVEs, func(a, b model.OpenCVE) int {
		if c := strings.Compare(a.Package, b.Package); c != 0 {
			return c
		}
		return strings.Compare(a.CVE, b.CVE)
	})
}

// stripBinNMU drops a binNMU suffix ("+b1"): the source version a binary
// was rebuilt from.
func stripBinNMU(v string) string {
	if i := strings.LastIndex(v, "+b"); i > 0 && i+2 < len(v) && strings.Trim(v[i+2:], "0123456789") == "" {
		return v[:i]
	}
	return v
}
