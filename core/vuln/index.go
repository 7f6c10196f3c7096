package vuln

import "hash/maphash"

// index is what the feeds say of one release (a tracker codename and OSV
// ecosystems): each source package's CVEs with their fixes, and the CVEs
// open at each version of it hosts have. Source packages no CVE names are
// absent. It is built once and only read after: an open-addressing table
// whose slots hold each name's hash and place in one arena of names, so
// that a fleet's lookups (one per installed package) can be made in
// passes — hashes, slots, names — whose memory reads do not wait on one
// another.
type index struct {
	seed  maphash.Seed
	slots []indexSlot // a power of two, at most half full
	names string
}

type indexSlot struct {
	hash   uint64 // 0: empty
	off, n uint32 // the name in names
	si     *srcIndex
}

// newIndex lays out source packages (names sorted, one after another in
// arena) and their entries.
func newIndex(names []string, arena string, entries []srcIndex) *index {
	size := 8
	for size < 2*len(names) {
		size *= 2
	}
	idx := &index{seed: maphash.MakeSeed(), slots: make([]indexSlot, size), names: arena}
	mask := uint64(size - 1)
	off := uint32(0)
	for i, name := range names {
		h := idx.hash(name)
		j := h & mask
		for idx.slots[j].hash != 0 {
			j = (j + 1) & mask
		}
		idx.slots[j] = indexSlot{h, off, uint32(len(name)), &entries[i]}
		off += uint32(len(name))
	}
	return idx
}

// hash is a name's hash; never 0.
func (idx *index) hash(name string) uint64 { return maphash.String(idx.seed, name) | 1 }

// slot returns where the probe of a hash first meets a slot with that
// hash, -1 when it reaches an empty slot first.
func (idx *index) slot(h uint64) int {
	mask := uint64(len(idx.slots) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		switch idx.slots[j].hash {
		case h:
			return int(j)
		case 0:
			return -1
		}
	}
}

// match returns the source index of a name from slot(hash(name)), j: that
// slot's when the names are equal, else (another name with the same hash)
// the rest of the probe's; nil when the feeds name none.
func (idx *index) match(j int, h uint64, name string) *srcIndex {
	if j < 0 {
		return nil
	}
	mask := len(idx.slots) - 1
	for ; ; j = (j + 1) & mask {
		s := &idx.slots[j]
		if s.hash == 0 {
			return nil
		}
		if s.hash == h && idx.names[s.off:s.off+s.n] == name {
			return s.si
		}
	}
}

// get returns a source package's index, nil when the feeds name none.
func (idx *index) get(name string) *srcIndex {
	h := idx.hash(name)
	return idx.match(idx.slot(h), h, name)
}
