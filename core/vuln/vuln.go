// Package vuln matches inventories against the vulnerability feeds: which
// CVEs each available update fixes and which stay open with no fix, per
// source package and release, in Debian version order; and what is known
// of each CVE (CVSS, EPSS, KEV). It does no I/O: the feeds come parsed
// (core/feeds).
package vuln

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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
	// tracker: source package → each CVE's fixing version per release,
	// by CVE.
	tracker map[string][]trackerRow
	// osv: lower-case ecosystem ("debian:12", "ubuntu:22.04:lts") → package → ranges.
	osv   map[string]map[string][]osvRange
	facts map[string]model.Vuln
	// byRelease caches, per codename, each source package's fixes in that
	// release, built on first use so matching a fleet allocates little.
	mu        sync.Mutex
	byRelease map[string]map[string][]fix
	// indexes caches, per release and ecosystems a host names, what
	// matching its packages needs.
	indexes map[string]*index
}

type srcIndex struct {
	fixes []fix // db.fixes of the source package
	// What hosts asked for, read without a lock: the open CVEs of the
	// binary packages they have (a fleet runs few of a source package's
	// binaries and versions) and the CVEs their updates fix, each list
	// replaced whole when one is added, up to maxKnown; others in the maps.
	pkgs    atomic.Pointer[[]pkgOpen]
	updates atomic.Pointer[[]*updateFix]
	mu      sync.Mutex
	// Under mu: the CVEs open at each source version, and those beyond
	// maxKnown.
	open     map[string][]string
	morePkgs map[pkgKey]*model.OpenPackage
	moreUpds map[[2]string]*updateFix
}

// maxKnown is how many binary packages and how many updates of a source
// package are read without a lock.
const maxKnown = 32

// pkgKey is an installed package as its open CVEs depend on it, given its
// source package: name, version and source version as the provider
// reports them.
type pkgKey struct {
	name, version, sourceVersion string
}

// pkgOpen is the open CVEs of a binary package, shared by every host's
// list: nil when none is open.
type pkgOpen struct {
	pkgKey
	pkg *model.OpenPackage
}

// updateFix is the CVEs an update from one version to another fixes.
type updateFix struct {
	from, to string
	ids      []string
	// rest are, for the installed packages it updates, their open CVEs
	// it does not fix (nil for none): shared by every host, as pkgOpen is;
	// up to maxKnown, replaced whole when one is added.
	rest atomic.Pointer[[]restOpen]
}

type restOpen struct{ open, rest *model.OpenPackage }

// restOf returns the open CVEs of p that the update does not fix, with
// p's package and version, built once: nil when none are left.
func (u *updateFix) restOf(p *model.OpenPackage) *model.OpenPackage {
	for {
		old := u.rest.Load()
		if old != nil {
			for _, r := range *old {
				if r.open == p {
					return r.rest
				}
			}
		}
		rest := without(p, u.ids)
		if old != nil && len(*old) >= maxKnown {
			return rest
		}
		var next []restOpen
		if old != nil {
			next = append(next, *old...)
		}
		next = append(next, restOpen{p, rest})
		if u.rest.CompareAndSwap(old, &next) {
			return rest
		}
	}
}

// without returns p's CVEs but closed, with p's package and version; nil
// when none are left.
func without(p *model.OpenPackage, closed []string) *model.OpenPackage {
	var ids []string
	for _, id := range p.CVEs {
		if !slices.Contains(closed, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return &model.OpenPackage{Package: p.Package, Version: p.Version, CVEs: ids}
}

// trackerRow is a CVE's state in a release: fixed in fixed, or open with
// no fix ("").
type trackerRow struct {
	cve, release, fixed string
}

// osvRange is a range of versions OSV records say are affected: from
// introduced ("" or "0": the first) up to fixed, or, with no fix, up to
// and including lastAffected ("": every later version).
type osvRange struct {
	cves                            []string
	introduced, fixed, lastAffected string
}

// New indexes the loaded feeds. Later feeds of a kind add to earlier ones.
func New(loaded []*feeds.Loaded) *DB {
	db := &DB{tracker: map[string][]trackerRow{}, osv: map[string]map[string][]osvRange{}, facts: map[string]model.Vuln{},
		byRelease: map[string]map[string][]fix{}, indexes: map[string]*index{}}
	for _, l := range loaded {
		d := l.Data
		t := d.TrackerFixes
		if t == nil && d.Tracker != nil {
			t = feeds.NewTrackerFixes(d.Tracker)
		}
		if t != nil {
			db.addTracker(t)
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
	if len(loaded) > 1 { // rows of one feed come sorted by CVE
		for src := range db.tracker {
			slices.SortStableFunc(db.tracker[src], func(a, b trackerRow) int { return strings.Compare(a.cve, b.cve) })
		}
	}
	return db
}

// addTracker adds a tracker's rows; its strings stay in its arena.
func (db *DB) addTracker(t *feeds.TrackerFixes) {
	rows := make([]trackerRow, len(t.CVE)) // one allocation for all sources
	for i := range rows {
		rows[i] = trackerRow{t.Str(t.CVE[i]), t.Str(t.Release[i]), t.Str(t.Fixed[i])}
	}
	start := uint32(0)
	for i, end := range t.SourceEnds {
		src := t.Str(t.Sources[i])
		if old := db.tracker[src]; old != nil {
			db.tracker[src] = append(old, rows[start:end]...)
		} else {
			db.tracker[src] = rows[start:end:end]
		}
		start = end
	}
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
				case e.Fixed != "" || e.LastAffected != "":
					cur.fixed, cur.lastAffected, cur.cves = e.Fixed, e.LastAffected, cves
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
// does yet). OSV ranges also bound the affected versions: from introduced
// ("" or "0": every version before the fix), and, with no fix, up to and
// including lastAffected.
type fix struct {
	cve, fixed               string
	introduced, lastAffected string
}

// affects reports whether a source version has the fix's CVE.
func (f *fix) affects(version string) bool {
	if f.introduced != "" && f.introduced != "0" && debversion.Compare(version, f.introduced) < 0 {
		return false
	}
	switch {
	case f.fixed != "":
		return debversion.Compare(version, f.fixed) < 0
	case f.lastAffected != "":
		return debversion.Compare(version, f.lastAffected) <= 0
	}
	return true
}

// pastEnd reports whether a version is past the fix's affected range: at
// or after its fix, or after its last affected version. A CVE with neither
// is past no version.
func (f *fix) pastEnd(version string) bool {
	switch {
	case f.fixed != "":
		return debversion.Compare(version, f.fixed) >= 0
	case f.lastAffected != "":
		return debversion.Compare(version, f.lastAffected) > 0
	}
	return false
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
		ecosystems = []string{"ubuntu:" + rel, "ubuntu:" + rel + ":lts", proEcosystem + rel + ":lts"}
	}
	return codename, ecosystems
}

// proEcosystem starts the OSV ecosystems of Ubuntu Pro's fixes (ESM),
// e.g. Ubuntu:Pro:18.04:LTS. They are matched for every Ubuntu host, after
// the release's own, for the CVEs the release's own records do not name:
// a host without Pro then shows such a CVE open (its fix is not offered
// to it), which is the truth, rather than nothing.
const proEcosystem = "ubuntu:pro:"

// release returns each source package's fixes in a tracker release,
// computed once per codename.
func (db *DB) release(codename string) map[string][]fix {
	db.mu.Lock()
	defer db.mu.Unlock()
	if m, ok := db.byRelease[codename]; ok {
		return m
	}
	m := make(map[string][]fix, len(db.tracker))
	for src, issues := range db.tracker {
		var fs []fix
		for _, r := range issues {
			if r.release == codename {
				fs = append(fs, fix{cve: r.cve, fixed: r.fixed})
			}
		}
		if len(fs) > 0 {
			m[src] = fs
		}
	}
	db.byRelease[codename] = m
	return m
}

// fixes lists the CVEs the feeds know for a source package on a host's
// release (rel: db.release of its codename, nil for none), each with its
// fixing version. The slice may be shared: callers do not change it.
//
// Ubuntu Pro's ranges (proEcosystem) count only for CVEs the release's own
// ecosystems do not name for the package.
func (db *DB) fixes(src string, rel map[string][]fix, ecosystems []string) []fix {
	out := rel[src]
	extra := false
	// The CVEs of the release's own OSV ecosystems, kept when Pro's come
	// after them (Ubuntu's list ends with Pro's).
	var own map[string]bool
	withPro := len(ecosystems) > 0 && strings.HasPrefix(ecosystems[len(ecosystems)-1], proEcosystem)
	for _, eco := range ecosystems {
		pro := strings.HasPrefix(eco, proEcosystem)
		for _, rg := range db.osv[eco][src] {
			for _, id := range rg.cves {
				if pro && own[id] {
					continue
				}
				if withPro && !pro {
					if own == nil {
						own = map[string]bool{}
					}
					own[id] = true
				}
				if !extra {
					out, extra = append([]fix(nil), out...), true
				}
				out = append(out, fix{cve: id, fixed: rg.fixed, introduced: rg.introduced, lastAffected: rg.lastAffected})
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
// none). The OpenPackages of the lists are shared between inventories
// (one per package and version for the fleet, and per update that fixes
// some of its CVEs): a host's list costs a pointer per package.
func (db *DB) Annotate(snaps map[string]*model.Snapshot) {
	var invs []*model.ProviderInventory
	for _, s := range snaps {
		if s == nil {
			continue
		}
		for _, inv := range s.Providers {
			invs = append(invs, inv)
		}
	}
	db.annotateAll(invs)
}

// annotateAll annotates distinct inventories, one worker per CPU: hosts
// share nothing but the DB's caches.
func (db *DB) annotateAll(invs []*model.ProviderInventory) {
	workers := min(runtime.GOMAXPROCS(0), len(invs))
	if workers <= 1 {
		var m matching
		for _, inv := range invs {
			db.annotate(inv, &m)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var m matching
			for {
				i := int(next.Add(1)) - 1
				if i >= len(invs) {
					return
				}
				db.annotate(invs[i], &m)
			}
		}()
	}
	wg.Wait()
}

// matching is one worker's scratch space, reused from host to host.
type matching struct {
	open model.OpenCVEs
	ups  []*model.Update
	// lookup's; ahead the lengths it read ahead.
	hashes []uint64
	slots  []int
	sis    []*srcIndex
	seen   []*[]pkgOpen
	found  []*pkgOpen
	ahead  int
}

func (db *DB) annotate(inv *model.ProviderInventory, m *matching) {
	codename, ecos := release(inv.Facts)
	if codename == "" && len(ecos) == 0 {
		return
	}
	idx := db.index(codename, ecos)
	if !annotateSorted(inv, idx, m) {
		annotateAny(inv, idx, m)
	}
}

// annotateSorted annotates an inventory whose installed packages come as
// providers list them, sorted by name, each name once, in one walk of
// them beside its updates sorted by name: each package's source is looked
// up once, for its open CVEs and what its updates fix. It returns false,
// having changed nothing, when the packages are not sorted.
func annotateSorted(inv *model.ProviderInventory, idx *index, m *matching) bool {
	for i := 1; i < len(inv.Installed); i++ {
		if inv.Installed[i-1].Name >= inv.Installed[i].Name {
			return false
		}
	}
	ups := m.ups[:0] // the updates, by name (stable: the providers' order)
	for i := range inv.Available {
		ups = append(ups, &inv.Available[i])
	}
	byName := func(a, b *model.Update) int { return strings.Compare(a.Name, b.Name) }
	if !slices.IsSortedFunc(ups, byName) {
		slices.SortStableFunc(ups, byName)
	}
	open := m.open[:0]
	defer func() {
		clear(ups) // let the scratch hold no host's data
		clear(open)
		m.ups, m.open = ups[:0], open[:0]
	}()
	sis, found := m.lookup(idx, inv.Installed)
	j := 0
	for i := range inv.Installed {
		it := &inv.Installed[i]
		for ; j < len(ups) && ups[j].Name < it.Name; j++ { // not installed
			addFixed(ups[j], idx.fixedBy(ups[j].Name, ups[j].From, stripBinNMU(ups[j].To)))
		}
		_, version := sourceOf(it)
		si := sis[i]
		// The CVEs this package's updates fix: one update's (fix), or
		// several's (closed).
		var fix *updateFix
		var closed []string
		nfix := 0
		for ; j < len(ups) && ups[j].Name == it.Name; j++ {
			u := ups[j]
			from := version
			if u.From == "" {
				from = ""
			}
			var f *updateFix
			if si != nil {
				f = si.fixedBy(from, stripBinNMU(u.To))
			}
			if !addFixed(u, f) {
				continue
			}
			switch nfix++; nfix {
			case 1:
				fix = f
			case 2:
				closed = append(slices.Clone(fix.ids), f.ids...)
			default:
				closed = append(closed, f.ids...)
			}
		}
		if si == nil {
			continue
		}
		var p *model.OpenPackage
		if f := found[i]; f != nil {
			p = f.pkg
		} else {
			p = si.addPkg(it)
		}
		if p == nil {
			continue
		}
		if nfix == 1 {
			p = fix.restOf(p)
		} else if nfix > 1 {
			p = without(p, closed)
		}
		if p != nil {
			open = append(open, p)
		}
	}
	for ; j < len(ups); j++ {
		addFixed(ups[j], idx.fixedBy(ups[j].Name, ups[j].From, stripBinNMU(ups[j].To)))
	}
	inv.OpenCVEs = nil
	if len(open) > 0 {
		inv.OpenCVEs = slices.Clone(open)
	}
	return true
}

// lookup finds each installed package's source index (nil when the feeds
// name none) and, among the binaries that index has seen, the package
// (nil when not seen yet). Each step is made for all packages before the
// next — hashes, slots, names, seen lists, their first entries, the
// package — so that the memory reads of one package do not wait on
// another's and the memory serves them together, rather than one chain of
// cache misses per package. The slices are m's scratch, valid until the
// next call.
func (m *matching) lookup(idx *index, installed []model.Installed) ([]*srcIndex, []*pkgOpen) {
	n := len(installed)
	hashes := slices.Grow(m.hashes[:0], n)[:n]
	slots := slices.Grow(m.slots[:0], n)[:n]
	sis := slices.Grow(m.sis[:0], n)[:n]
	seen := slices.Grow(m.seen[:0], n)[:n]
	found := slices.Grow(m.found[:0], n)[:n]
	m.hashes, m.slots, m.sis, m.seen, m.found = hashes, slots, sis, seen, found
	for i := range installed {
		hashes[i] = idx.hash(sourceName(&installed[i]))
	}
	for i, h := range hashes {
		slots[i] = idx.slot(h)
	}
	for i, j := range slots {
		sis[i] = idx.match(j, hashes[i], sourceName(&installed[i]))
	}
	for i, si := range sis {
		seen[i] = nil
		if si != nil {
			seen[i] = si.pkgs.Load()
		}
	}
	ahead := 0
	for _, l := range seen {
		if l != nil && len(*l) > 0 {
			ahead += len((*l)[0].version)
		}
	}
	m.ahead = ahead // kept, so that the reads are made
	for i, l := range seen {
		found[i] = nil
		if l != nil {
			found[i] = findPkg(*l, &installed[i])
		}
	}
	return sis, found
}

// addFixed adds to an update's CVEs those it fixes (f, nil for none),
// sorted, and reports whether it fixes any.
func addFixed(u *model.Update, f *updateFix) bool {
	var ids []string
	if f != nil {
		ids = f.ids
	}
	for _, id := range ids {
		if !slices.Contains(u.CVEs, id) {
			u.CVEs = append(u.CVEs, id)
		}
	}
	slices.Sort(u.CVEs)
	return len(ids) > 0
}

// annotateAny annotates any inventory: its installed packages in any
// order, names repeated (two architectures). An update belongs to the
// last installed entry of its name.
func annotateAny(inv *model.ProviderInventory, idx *index, m *matching) {
	last := make(map[string]int, len(inv.Available))
	for i := range inv.Available {
		last[inv.Available[i].Name] = -1
	}
	for i := range inv.Installed {
		if _, ok := last[inv.Installed[i].Name]; ok {
			last[inv.Installed[i].Name] = i
		}
	}
	// The CVEs available updates fix, by package name.
	var fixed map[string][]string
	for i := range inv.Available {
		u := &inv.Available[i]
		src, from := u.Name, u.From
		if k := last[u.Name]; k >= 0 {
			src, from = sourceOf(&inv.Installed[k])
		}
		if u.From == "" {
			from = ""
		}
		// An update's source version is unknown; binNMUs aside, it is the
		// binary's version.
		if f := idx.fixedBy(src, from, stripBinNMU(u.To)); addFixed(u, f) {
			if fixed == nil {
				fixed = map[string][]string{}
			}
			fixed[u.Name] = append(fixed[u.Name], f.ids...)
		}
	}
	open := m.open[:0]
	for i := range inv.Installed {
		it := &inv.Installed[i]
		p := idx.openIn(it)
		if p != nil && len(fixed[it.Name]) > 0 {
			p = without(p, fixed[it.Name])
		}
		if p != nil {
			open = append(open, p)
		}
	}
	inv.OpenCVEs = nil
	if len(open) > 0 {
		inv.OpenCVEs = sortOpen(slices.Clone(open))
	}
	clear(open) // let the scratch hold no host's packages
	m.open = open[:0]
}

// sortOpen orders the open CVEs of an inventory whose packages came
// unsorted by package, then CVE, entries of a package at two versions (or
// listed twice) interleaved by CVE, in the canonical form model.OpenCVEsOf
// gives.
func sortOpen(open model.OpenCVEs) model.OpenCVEs {
	slices.SortStableFunc(open, func(a, b *model.OpenPackage) int { return strings.Compare(a.Package, b.Package) })
	for i := 1; i < len(open); i++ {
		if open[i].Package == open[i-1].Package {
			list := open.List()
			slices.SortStableFunc(list, func(a, b model.OpenCVE) int {
				if c := strings.Compare(a.Package, b.Package); c != 0 {
					return c
				}
				return strings.Compare(a.CVE, b.CVE)
			})
			return model.OpenCVEsOf(list)
		}
	}
	return open
}

// index returns the index of a release, built once per codename and
// ecosystems.
func (db *DB) index(codename string, ecos []string) *index {
	var rel map[string][]fix
	if codename != "" {
		rel = db.release(codename)
	}
	key := codename + "|" + strings.Join(ecos, ",")
	db.mu.Lock()
	defer db.mu.Unlock()
	if idx, ok := db.indexes[key]; ok {
		return idx
	}
	var names []string
	seen := make(map[string]bool, len(rel))
	for src := range rel {
		names, seen[src] = append(names, src), true
	}
	for _, eco := range ecos {
		for src := range db.osv[eco] {
			if !seen[src] {
				names, seen[src] = append(names, src), true
			}
		}
	}
	// Keys and entries laid out together, in one arena each: a fleet looks
	// up every installed package, and scattered keys cost a cache miss
	// each.
	slices.Sort(names)
	var arena strings.Builder
	for _, src := range names {
		arena.WriteString(src)
	}
	all := arena.String()
	entries := make([]srcIndex, len(names))
	for i, src := range names {
		entries[i].fixes = db.fixes(src, rel, ecos)
	}
	idx := newIndex(names, all, entries)
	db.indexes[key] = idx
	return idx
}

// fixedBy returns the CVEs of a source package that an update from one
// version (any, when "") to another fixes, in fixes' order, computed once
// per versions; nil when the feeds name none.
func (idx *index) fixedBy(src, from, to string) *updateFix {
	if si := idx.get(src); si != nil {
		return si.fixedBy(from, to)
	}
	return nil
}

// fixedBy returns the CVEs of the source package that an update from one
// version (any, when "") to another fixes.
func (si *srcIndex) fixedBy(from, to string) *updateFix {
	if l := si.updates.Load(); l != nil {
		for _, u := range *l {
			if u.to == to && u.from == from {
				return u
			}
		}
	}
	si.mu.Lock()
	defer si.mu.Unlock()
	var known []*updateFix
	if l := si.updates.Load(); l != nil {
		known = *l
		for _, u := range known {
			if u.to == to && u.from == from {
				return u
			}
		}
	}
	if u, ok := si.moreUpds[[2]string{from, to}]; ok {
		return u
	}
	var ids []string
	for i := range si.fixes {
		f := &si.fixes[i]
		if (from == "" || f.affects(from)) && f.pastEnd(to) {
			ids = append(ids, f.cve)
		}
	}
	all := from + to // one copy of both, apart from the host's strings
	u := &updateFix{from: all[:len(from)], to: all[len(from):], ids: ids}
	switch {
	case len(known) < maxKnown:
		next := append(slices.Clip(known), u)
		si.updates.Store(&next)
	case si.moreUpds == nil:
		si.moreUpds = map[[2]string]*updateFix{{u.from, u.to}: u}
	default:
		si.moreUpds[[2]string{u.from, u.to}] = u
	}
	return u
}

// openIn returns the open CVEs of an installed package on the index's
// release (no fix, or fixed in a later version of its source), sorted,
// shared by every host with the same package and version; nil when none
// is open.
func (idx *index) openIn(it *model.Installed) *model.OpenPackage {
	src := it.Source
	if src == "" {
		src = it.Name
	}
	if si := idx.get(src); si != nil {
		return si.openIn(it)
	}
	return nil
}

// openIn returns the open CVEs of an installed package of the source
// package.
func (si *srcIndex) openIn(it *model.Installed) *model.OpenPackage {
	if l := si.pkgs.Load(); l != nil {
		if p := findPkg(*l, it); p != nil {
			return p.pkg
		}
	}
	return si.addPkg(it)
}

// findPkg finds an installed package among those a source index has
// seen, nil if not there.
func findPkg(l []pkgOpen, it *model.Installed) *pkgOpen {
	for i := range l {
		if p := &l[i]; p.version == it.Version && p.name == it.Name && p.sourceVersion == it.SourceVersion {
			return p
		}
	}
	return nil
}

// addPkg finds or adds an installed package's open CVEs under the lock.
func (si *srcIndex) addPkg(it *model.Installed) *model.OpenPackage {
	k := pkgKey{it.Name, it.Version, it.SourceVersion}
	si.mu.Lock()
	defer si.mu.Unlock()
	var known []pkgOpen
	if l := si.pkgs.Load(); l != nil {
		known = *l
		for _, p := range known {
			if p.pkgKey == k {
				return p.pkg
			}
		}
	}
	if p, ok := si.morePkgs[k]; ok {
		return p
	}
	_, version := sourceOf(it)
	ids := si.openAt(version)
	// One copy of the key's strings, together: the lookups compare them.
	all := k.name + k.version + k.sourceVersion
	k = pkgKey{all[:len(k.name)], all[len(k.name) : len(k.name)+len(k.version)], all[len(k.name)+len(k.version):]}
	var pkg *model.OpenPackage
	if len(ids) > 0 {
		pkg = &model.OpenPackage{Package: k.name, Version: k.version, CVEs: ids}
	}
	switch {
	case len(known) < maxKnown:
		next := append(slices.Clip(known), pkgOpen{k, pkg})
		si.pkgs.Store(&next)
	case si.morePkgs == nil:
		si.morePkgs = map[pkgKey]*model.OpenPackage{k: pkg}
	default:
		si.morePkgs[k] = pkg
	}
	return pkg
}

// openAt returns the CVEs open at a source version (no fix, or fixed in a
// later version), each once and sorted, computed once per version; si.mu
// is held.
func (si *srcIndex) openAt(version string) []string {
	if ids, ok := si.open[version]; ok {
		return ids
	}
	var ids []string
	for i := range si.fixes {
		f := &si.fixes[i]
		if slices.Contains(ids, f.cve) {
			continue
		}
		if f.affects(version) {
			ids = append(ids, f.cve)
		}
	}
	slices.Sort(ids) // the tracker's CVEs are sorted, OSV's come after
	ids = slices.Clip(ids)
	if si.open == nil {
		si.open = map[string][]string{}
	}
	si.open[strings.Clone(version)] = ids
	return ids
}

// sourceName returns an installed package's source package: the binary's
// name when the provider reports none.
func sourceName(it *model.Installed) string {
	if it.Source != "" {
		return it.Source
	}
	return it.Name
}

// sourceOf returns an installed package's source package and version:
// the binary's name and version when the provider reports no source.
func sourceOf(it *model.Installed) (string, string) {
	src, version := it.Source, it.SourceVersion
	if src == "" {
		src = it.Name
	}
	if version == "" {
		version = it.Version
	}
	return src, version
}

// stripBinNMU drops a binNMU suffix ("+b1"): the source version a binary
// was rebuilt from.
func stripBinNMU(v string) string {
	if i := strings.LastIndex(v, "+b"); i > 0 && i+2 < len(v) && strings.Trim(v[i+2:], "0123456789") == "" {
		return v[:i]
	}
	return v
}
