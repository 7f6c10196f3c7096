package inventory

import (
	"unique"

	"github.com/tend-sh/tend/core/model"
)

// compact makes a decoded snapshot cheap to keep while a fleet is planned:
// package names, versions, architectures and the like repeat across hosts
// (and an apt entry's id is its name), so each distinct string is kept once
// per process (unique.Make), and the lists' spare capacity from decoding
// is given back. The snapshot's value does not change.
func compact(s *model.Snapshot) {
	s.FormatVersion = intern(s.FormatVersion)
	for _, p := range s.Providers {
		if p == nil {
			continue
		}
		for k, v := range p.Facts {
			p.Facts[k] = intern(v)
		}
		p.Installed = exact(p.Installed)
		for i := range p.Installed {
			it := &p.Installed[i]
			it.ID, it.Name, it.Version, it.Arch = intern(it.ID), intern(it.Name), intern(it.Version), intern(it.Arch)
		}
		p.Available = exact(p.Available)
		for i := range p.Available {
			u := &p.Available[i]
			u.ID, u.Name, u.From, u.To = intern(u.ID), intern(u.Name), intern(u.From), intern(u.To)
			u.Classification, u.Severity, u.KB = intern(u.Classification), intern(u.Severity), intern(u.KB)
			for j, c := range u.CVEs {
				u.CVEs[j] = intern(c)
			}
		}
		for name, vs := range p.Versions {
			for j, v := range vs {
				vs[j] = intern(v)
			}
			p.Versions[name] = vs
		}
		for i := range p.Unfinished {
			u := &p.Unfinished[i]
			u.Name, u.Version, u.State = intern(u.Name), intern(u.Version), intern(u.State)
		}
	}
}

// intern returns the process's one copy of s.
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

// exact returns list in a backing array of exactly its length (a decoder
// grows lists by doubling: up to half of the array is spare).
func exact[T any](list []T) []T {
	if cap(list) == len(list) || list == nil {
		return list
	}
	return append(make([]T, 0, len(list)), list...)
}
