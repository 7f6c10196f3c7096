package model

import (
	"slices"
	"sync"
)

// Inventory lists, as Duplicate.List names them.
const (
	ListInstalled = "installed"
	ListAvailable = "available"
)

// Duplicate is a package a provider inventory lists more than once: an
// available update named twice (by package name, which is what a plan's
// action ids are made of), or an installed item with a repeated id.
type Duplicate struct {
	// List is ListInstalled or ListAvailable.
	List string
	// Key is the package name (available) or the item id (installed).
	Key string
	// Count is how many entries share the key.
	Count int
	// Versions are the distinct versions the entries name (to for updates,
	// version for installed items), in the order they appear. More than
	// one is a conflict: the inventory does not say which one is true.
	Versions []string
}

// Conflict reports whether the entries disagree on the version, so that no
// one of them can be trusted.
func (d Duplicate) Conflict() bool { return len(d.Versions) > 1 }

// Deduplicated returns p's installed and available lists with one entry per
// key, and the keys that had more than one. Entries that agree on the
// version are merged into the first of them; keys whose entries disagree
// are dropped from the lists altogether and reported as conflicts. Updates
// are keyed by package name: the entries of a package installed for two
// architectures (ids "libc6:amd64", "libc6:i386") that go to the same
// version merge without being reported; repeating an entry verbatim is
// reported. Installed items are keyed by id. p is not modified.
func (p *ProviderInventory) Deduplicated() (installed []Installed, available []Update, dups []Duplicate) {
	installed, d1 := dedupe(p.Installed, ListInstalled,
		func(it Installed) string { return it.ID },
		func(it Installed) string { return it.Version },
		func(a, b Installed) bool { return a == b })
	available, d2 := dedupe(p.Available, ListAvailable,
		func(u Update) string { return u.Name },
		func(u Update) string { return u.To },
		sameUpdate)
	return installed, available, append(d1, d2...)
}

// counts are the maps dedupe counts keys in, reused: the planner
// deduplicates every host's inventory, and most have nothing to remove.
var counts = sync.Pool{New: func() any { return map[string]int{} }}

// dedupe keeps the first entry of each key. A key is reported when its
// entries name different versions (then all of them are dropped) or when
// one entry repeats another exactly.
func dedupe[T any](list []T, name string, key, version func(T) string, same func(a, b T) bool) ([]T, []Duplicate) {
	count := counts.Get().(map[string]int)
	defer func() {
		clear(count)
		counts.Put(count)
	}()
	repeated := false
	for _, x := range list {
		k := key(x)
		count[k]++
		repeated = repeated || count[k] > 1
	}
	if !repeated {
		return list, nil
	}
	groups := map[string][]T{}
	var order []string
	out := make([]T, 0, len(count))
	for _, x := range list {
		k := key(x)
		if count[k] == 1 {
			out = append(out, x)
			continue
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
			out = append(out, x) // a placeholder for the group, dropped below on a conflict
		}
		groups[k] = append(groups[k], x)
	}
	var dups []Duplicate
	conflict := map[string]bool{}
	for _, k := range order {
		g := groups[k]
		d := Duplicate{List: name, Key: k, Count: len(g)}
		for _, x := range g {
			if v := version(x); !slices.Contains(d.Versions, v) {
				d.Versions = append(d.Versions, v)
			}
		}
		if d.Conflict() {
			conflict[k] = true
		}
		if d.Conflict() || repeats(g, same) {
			dups = append(dups, d)
		}
	}
	if len(conflict) > 0 {
		out = slices.DeleteFunc(out, func(x T) bool { return conflict[key(x)] })
	}
	return out, dups
}

// repeats reports whether some entry of g equals another.
func repeats[T any](g []T, same func(a, b T) bool) bool {
	for i := range g {
		for j := i + 1; j < len(g); j++ {
			if same(g[i], g[j]) {
				return true
			}
		}
	}
	return false
}

func sameUpdate(a, b Update) bool {
	return a.ID == b.ID && a.Name == b.Name && a.From == b.From && a.To == b.To &&
		a.Classification == b.Classification && a.Severity == b.Severity &&
		slices.Equal(a.CVEs, b.CVEs) && a.KB == b.KB && a.ReleasedAt.Equal(b.ReleasedAt) &&
		a.RebootRequired == b.RebootRequired
}
