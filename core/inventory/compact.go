package inventory

import (
	"hash/maphash"
	"strings"
	"sync"

	"github.com/tend-sh/tend/core/model"
)

// interner keeps one copy of each string the snapshots of one read share:
// package names, versions, architectures and the like repeat across hosts
// (and an apt entry's id is its name). It lives as long as the read's
// snapshots, so nothing outlives them; it is safe for concurrent use
// (sharded, for the parallel parse).
type interner struct {
	seed   maphash.Seed
	shards [64]struct {
		sync.Mutex
		m map[string]string
	}
}

func newInterner() *interner {
	in := &interner{seed: maphash.MakeSeed()}
	for i := range in.shards {
		in.shards[i].m = map[string]string{}
	}
	return in
}

// intern returns the read's one copy of s.
func (in *interner) intern(s string) string {
	if s == "" {
		return ""
	}
	sh := &in.shards[maphash.String(in.seed, s)%uint64(len(in.shards))]
	sh.Lock()
	defer sh.Unlock()
	if c, ok := sh.m[s]; ok {
		return c
	}
	// A copy: the decoder's string may share memory with the file read.
	c := strings.Clone(s)
	sh.m[c] = c
	return c
}

// compact makes a decoded snapshot cheap to keep while a fleet is planned
// and reported: each string is replaced by the read's one copy, and the
// lists' spare capacity from decoding is given back. The snapshot's value
// does not change.
func (in *interner) compact(s *model.Snapshot) {
	s.FormatVersion = in.intern(s.FormatVersion)
	for _, p := range s.Providers {
		if p == nil {
			continue
		}
		for k, v := range p.Facts {
			p.Facts[k] = in.intern(v)
		}
		p.Installed = exact(p.Installed)
		for i := range p.Installed {
			it := &p.Installed[i]
			it.ID, it.Name, it.Version, it.Arch = in.intern(it.ID), in.intern(it.Name), in.intern(it.Version), in.intern(it.Arch)
		}
		p.Available = exact(p.Available)
		for i := range p.Available {
			u := &p.Available[i]
			u.ID, u.Name, u.From, u.To = in.intern(u.ID), in.intern(u.Name), in.intern(u.From), in.intern(u.To)
			u.Classification, u.Severity, u.KB = in.intern(u.Classification), in.intern(u.Severity), in.intern(u.KB)
			for j, c := range u.CVEs {
				u.CVEs[j] = in.intern(c)
			}
		}
		for _, vs := range p.Versions {
			for j, v := range vs {
				vs[j] = in.intern(v)
			}
		}
		for i := range p.Unfinished {
			u := &p.Unfinished[i]
			u.Name, u.Version, u.State = in.intern(u.Name), in.intern(u.Version), in.intern(u.State)
		}
	}
}

// exact returns list in a backing array of exactly its length (a decoder
// grows lists by doubling: up to half of the array is spare).
func exact[T any](list []T) []T {
	if cap(list) == len(list) || list == nil {
		return list
	}
	return append(make([]T, 0, len(list)), list...)
}
