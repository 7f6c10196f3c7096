// Package feedcopy keeps the vulnerability feeds tend serve matched with on
// the reports branch, so that plans made elsewhere without a feed cache (a
// pull request's plan in CI, a fresh clone) match with the same data and
// say how old it is. tend serve writes feeds/feeds.json, a manifest of its
// url feeds, on every commit of reports, and each feed's compact copy
// (core/feeds Compact) only when the branch does not hold that version yet:
// a 70 MB tracker is not committed again on every reconcile. Copies reads
// them back as core/feeds' Copies.
package feedcopy

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/feeds"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// The layout on the reports branch.
const (
	// Dir holds the manifest and the copies.
	Dir = "feeds"
	// ManifestPath is the manifest.
	ManifestPath = Dir + "/feeds.json"
	// FormatVersion is the manifest's format_version.
	FormatVersion = "1"
)

// MaxCopy bounds what is read of one copy on the branch, in bytes.
const MaxCopy = 512 << 20

// Manifest is feeds/feeds.json: the url feeds the daemon's last commit of
// reports matched with, by name.
type Manifest struct {
	FormatVersion string  `json:"format_version"`
	Feeds         []Entry `json:"feeds"`
}

// Entry is one feed of the manifest.
type Entry struct {
	Name string `json:"name"`
	Type string `json:"type"`
	URL  string `json:"url"`
	// File is the copy's path on the branch (feeds/<name>.gz): the file
	// of Form, gzip-compressed.
	File string `json:"file"`
	Form string `json:"form"`
	// SHA256 and Size are the feed's as fetched (core/feeds Meta), not the
	// copy's: the copy is written again only when they change.
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Date is the feed's own date (else its Last-Modified, else when it
	// was fetched); FetchedAt when tend serve downloaded it.
	Date      time.Time `json:"date"`
	FetchedAt time.Time `json:"fetched_at"`
}

// CopyPath is feeds/<name>.gz.
func CopyPath(name string) string { return Dir + "/" + name + ".gz" }

// Read returns the manifest of a tree; nil without one.
func Read(t *reportsbranch.Tree) (*Manifest, error) {
	b, ok, err := t.File(ManifestPath)
	if err != nil || !ok {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("reports branch: %s: %w", ManifestPath, err)
	}
	if m.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("reports branch: %s: format_version %q, this tend reads %q", ManifestPath, m.FormatVersion, FormatVersion)
	}
	return &m, nil
}

// Entry returns the manifest's entry for a feed; nil when it has none.
func (m *Manifest) Entry(name string) *Entry {
	if m == nil {
		return nil
	}
	for i := range m.Feeds {
		if m.Feeds[i].Name == name {
			return &m.Feeds[i]
		}
	}
	return nil
}

// Files returns what to lay over the reports branch t (its tree before
// this commit; nil for none yet) for cfg's url feeds in cache: the
// manifest, and the copy of each feed whose version (SHA-256) the
// branch's manifest does not name or whose copy the branch lacks. Remove
// lists the copies of feeds that left the configuration. A feed the cache
// holds no good copy of, or an older one than the branch's (a state
// directory lost or restored from a backup), keeps the branch's entry and
// copy. Without url feeds it returns nothing.
func Files(cfg *config.Config, cache *feeds.Cache, t *reportsbranch.Tree) (files map[string][]byte, remove []string, err error) {
	old, err := Read(t)
	if err != nil {
		return nil, nil, err
	}
	m := Manifest{FormatVersion: FormatVersion, Feeds: []Entry{}}
	files = map[string][]byte{}
	for _, name := range slices.Sorted(maps.Keys(cfg.Feeds)) {
		f := cfg.Feeds[name]
		if f.URL == "" {
			continue // a file feed is in the configuration's repository already
		}
		meta, ok, err := cache.ReadMeta(name)
		if err != nil {
			return nil, nil, err
		}
		prev := old.Entry(name)
		cached := ok && meta.URL == f.URL && meta.SHA256 != ""
		if kept, err := keepOld(t, prev, f, meta, cached); err != nil {
			return nil, nil, err
		} else if kept {
			m.Feeds = append(m.Feeds, *prev)
			continue
		}
		if !cached {
			continue
		}
		e := Entry{Name: name, Type: f.Type, URL: f.URL, File: CopyPath(name), SHA256: meta.SHA256, Size: meta.Size,
			Date: meta.FeedDate.UTC(), FetchedAt: meta.FetchedAt.UTC()}
		have := false
		if prev != nil && prev.SHA256 == e.SHA256 && prev.Type == e.Type && prev.File == e.File {
			_, have, err = t.BlobHash(e.File)
			if err != nil {
				return nil, nil, err
			}
		}
		if have {
			e.Form = prev.Form
		} else {
			b, form, ok, err := compact(cache, f, meta)
			if err != nil {
				return nil, nil, err
			}
			if !ok { // the cached data changed under us: next time
				if prev != nil {
					m.Feeds = append(m.Feeds, *prev)
				}
				continue
			}
			files[e.File], e.Form = b, form
		}
		m.Feeds = append(m.Feeds, e)
	}
	if old == nil && len(m.Feeds) == 0 {
		return nil, nil, nil
	}
	for _, e := range oldEntries(old) {
		if m.Entry(e.Name) == nil && strings.HasPrefix(e.File, Dir+"/") && path.Clean(e.File) == e.File {
			remove = append(remove, e.File)
		}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	files[ManifestPath] = append(b, '\n')
	return files, remove, nil
}

// keepOld reports whether the branch's entry of feed f stays as it is:
// it is of f's URL and type, its copy is on the branch, and the cache has
// no copy of the feed or one fetched before it.
func keepOld(t *reportsbranch.Tree, prev *Entry, f *config.Feed, meta feeds.Meta, cached bool) (bool, error) {
	if prev == nil || prev.URL != f.URL || prev.Type != f.Type || prev.File != CopyPath(f.Name) ||
		(cached && !prev.FetchedAt.After(meta.FetchedAt)) {
		return false, nil
	}
	_, have, err := t.BlobHash(prev.File)
	return have, err
}

func oldEntries(m *Manifest) []Entry {
	if m == nil {
		return nil
	}
	return m.Feeds
}

// compact reads a cached feed and returns its copy; ok is false when the
// data no longer has the SHA-256 its meta records (a fetch replaced it
// meanwhile).
func compact(cache *feeds.Cache, f *config.Feed, meta feeds.Meta) (b []byte, form string, ok bool, err error) {
	data, sum, err := cache.ReadData(f.Name)
	if err != nil {
		return nil, "", false, err
	}
	if sum != meta.SHA256 {
		return nil, "", false, nil
	}
	p, err := cache.ParseCached(f.Name, f.Type, data)
	if err != nil {
		return nil, "", false, fmt.Errorf("feed %s: %w", f.Name, err)
	}
	b, form, err = feeds.Compact(f.Type, data, p)
	return b, form, err == nil, err
}
