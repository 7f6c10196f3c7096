package feeds

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tend-sh/tend/core/config"
)

// TrackerFixes is what matching reads of a Debian tracker file: for each
// source package, each CVE's fixing version per release, and nothing
// else (no TEMP- ids, descriptions, urgencies, or releases a CVE never
// affected). Its strings are interned in one arena, so it is small, cheap
// to decode from the cache and cheap for the garbage collector to keep.
type TrackerFixes struct {
	// Strings holds every distinct string, concatenated: string i is
	// Strings[Ends[i-1]:Ends[i]] (string 0 is "").
	Strings string
	Ends    []uint32
	// Sources are the source packages' string ids, sorted by name; the
	// rows of source i are SourceEnds[i-1] (0 for the first) to
	// SourceEnds[i].
	Sources, SourceEnds []uint32
	// Rows, by source then CVE: the CVE, the release codename and the
	// fixing version ("" when no fix is known: open, or resolved without
	// a version). States whose fixed version is "0" (never affected) and
	// undetermined ones have no row.
	CVE, Release, Fixed []uint32
}

// Str returns string id i.
func (t *TrackerFixes) Str(i uint32) string {
	start := uint32(0)
	if i > 0 {
		start = t.Ends[i-1]
	}
	return t.Strings[start:t.Ends[i]]
}

// NewTrackerFixes keeps what matching reads of a parsed tracker.
func NewTrackerFixes(tr Tracker) *TrackerFixes {
	var arena strings.Builder
	t := &TrackerFixes{Ends: []uint32{0}}
	ids := map[string]uint32{"": 0}
	intern := func(s string) uint32 {
		if id, ok := ids[s]; ok {
			return id
		}
		arena.WriteString(s)
		id := uint32(len(t.Ends))
		t.Ends = append(t.Ends, uint32(arena.Len()))
		ids[s] = id
		return id
	}
	srcs := make([]string, 0, len(tr))
	for src := range tr {
		srcs = append(srcs, src)
	}
	slices.Sort(srcs)
	var cves, rels []string
	for _, src := range srcs {
		cves = cves[:0]
		for id := range tr[src] {
			if IsCVE(id) {
				cves = append(cves, id)
			}
		}
		if len(cves) == 0 {
			continue
		}
		slices.Sort(cves)
		t.Sources = append(t.Sources, intern(src))
		for _, cve := range cves {
			is := tr[src][cve]
			rels = rels[:0]
			for rel := range is.Releases {
				rels = append(rels, rel)
			}
			slices.Sort(rels)
			for _, rel := range rels {
				r := is.Releases[rel]
				fixed := r.FixedVersion
				switch {
				case fixed == "0": // never affected
					continue
				case r.Status == "open":
					fixed = ""
				case r.Status != "resolved":
					continue
				}
				t.CVE = append(t.CVE, intern(cve))
				t.Release = append(t.Release, intern(rel))
				t.Fixed = append(t.Fixed, intern(fixed))
			}
		}
		t.SourceEnds = append(t.SourceEnds, uint32(len(t.CVE)))
	}
	t.Strings = arena.String()
	return t
}

// parsedVersion names the encoding of cached TrackerFixes: a change of
// the type changes it, so an old cache file is a miss, not a misreading.
const parsedVersion = "fixes1"

// ParseCached parses a feed as Parse does, except that a Debian tracker
// whose bytes were parsed before is read from the cache's parsed copy
// (TrackerFixes only), kept beside the feeds by the file's SHA-256; a
// fresh parse writes it. The JSON stays what is trusted: the copy is a
// cache of its parse, and any failure to read or write it only costs a
// parse. A nil cache parses.
func (c *Cache) ParseCached(name, typ string, b []byte) (*Parsed, error) {
	if c == nil || c.Dir == "" || typ != config.FeedDebianTracker {
		return Parse(typ, b)
	}
	sum := sha256.Sum256(b)
	path := filepath.Join(c.Dir, "parsed", name+"."+hex.EncodeToString(sum[:])+"."+parsedVersion+".gob")
	if raw, err := os.ReadFile(path); err == nil {
		var t TrackerFixes
		if gob.NewDecoder(bytes.NewReader(raw)).Decode(&t) == nil && t.valid() {
			return &Parsed{TrackerFixes: &t}, nil
		}
	}
	p, err := Parse(typ, b)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if gob.NewEncoder(&buf).Encode(p.TrackerFixes) == nil && os.MkdirAll(filepath.Dir(path), 0o755) == nil {
		old, _ := filepath.Glob(filepath.Join(c.Dir, "parsed", name+".*.gob"))
		if writeAtomic(path, buf.Bytes()) == nil {
			for _, o := range old {
				if o != path {
					os.Remove(o)
				}
			}
		}
	}
	return p, nil
}

// valid checks a decoded copy's ids are in range, so a damaged cache file
// is a miss rather than a panic.
func (t *TrackerFixes) valid() bool {
	n := uint32(len(t.Ends))
	if n == 0 || t.Ends[0] != 0 || len(t.Sources) != len(t.SourceEnds) ||
		len(t.CVE) != len(t.Release) || len(t.CVE) != len(t.Fixed) {
		return false
	}
	for i := 1; i < len(t.Ends); i++ {
		if t.Ends[i] < t.Ends[i-1] || int(t.Ends[i]) > len(t.Strings) {
			return false
		}
	}
	prev := uint32(0)
	for _, e := range t.SourceEnds {
		if e < prev || int(e) > len(t.CVE) {
			return false
		}
		prev = e
	}
	if len(t.SourceEnds) > 0 && int(prev) != len(t.CVE) {
		return false
	}
	for _, ids := range [][]uint32{t.Sources, t.CVE, t.Release, t.Fixed} {
		for _, id := range ids {
			if id >= n {
				return false
			}
		}
	}
	return true
}
