package feeds

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tend-sh/tend/core/config"
)

// Parsed is one parsed feed; exactly one kind is set. A Debian tracker
// has TrackerFixes, what matching reads, and Tracker, the whole file,
// unless it came from the cache's parsed copy (Cache.ParseCached).
type Parsed struct {
	Tracker      Tracker
	TrackerFixes *TrackerFixes
	OSV          []OSVRecord
	KEV          *KEV
	EPSS         *EPSS
}

// Date is the date the feed gives itself; zero when it gives none.
func (p *Parsed) Date() time.Time {
	switch {
	case p.KEV != nil:
		return p.KEV.DateReleased.UTC()
	case p.EPSS != nil:
		return p.EPSS.ScoreDate.UTC()
	case p.OSV != nil:
		var newest time.Time
		for _, r := range p.OSV {
			if r.Modified.After(newest) {
				newest = r.Modified
			}
		}
		return newest.UTC()
	}
	return time.Time{}
}

// Parse parses data as a feed of the given type (config.Feed* constants).
func Parse(typ string, b []byte) (*Parsed, error) {
	var p Parsed
	var err error
	switch typ {
	case config.FeedDebianTracker:
		if p.Tracker, err = ParseTracker(b); err == nil {
			p.TrackerFixes = NewTrackerFixes(p.Tracker)
		}
	case config.FeedOSV:
		p.OSV, err = ParseOSV(b)
	case config.FeedKEV:
		p.KEV, err = ParseKEV(b)
	case config.FeedEPSS:
		p.EPSS, err = ParseEPSS(b)
	default:
		err = fmt.Errorf("unknown feed type %q", typ)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Loaded is a feed read for matching, and how fresh it is.
type Loaded struct {
	Feed *config.Feed
	Data *Parsed
	// Source is the file read; Date the feed's date (its own, else when
	// the cache fetched it; zero for an undated file); FetchedAt when the
	// cache got it (zero for file feeds).
	Source    string
	Date      time.Time
	FetchedAt time.Time
}

// ErrNotFetched means a url feed has no cached copy yet.
var ErrNotFetched = errors.New("not fetched yet (run tend feeds update)")

// Load reads every feed of cfg: file feeds from the configuration
// directory, url feeds from the cache. A feed that cannot be read is
// returned in errs by name and left out; the others still load.
func Load(cfg *config.Config, cache *Cache) (loaded []*Loaded, errs map[string]error) {
	errs = map[string]error{}
	for _, name := range sortedNames(cfg.Feeds) {
		f := cfg.Feeds[name]
		l, err := loadOne(cfg.Dir, cache, f)
		if err != nil {
			errs[name] = err
			continue
		}
		loaded = append(loaded, l)
	}
	return loaded, errs
}

func loadOne(dir string, cache *Cache, f *config.Feed) (*Loaded, error) {
	l := &Loaded{Feed: f}
	var b []byte
	var err error
	if f.File != "" {
		l.Source = filepath.Join(dir, f.File)
		b, err = os.ReadFile(l.Source)
	} else {
		l.Source = cache.dataPath(f.Name)
		m, ok, merr := cache.ReadMeta(f.Name)
		switch {
		case merr != nil:
			return nil, merr
		case !ok || m.URL != f.URL:
			return nil, ErrNotFetched
		}
		l.FetchedAt, l.Date = m.FetchedAt, m.FeedDate
		b, err = os.ReadFile(l.Source)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNotFetched
		}
	}
	if err != nil {
		return nil, err
	}
	// A url feed's parsed copy lives in the cache beside its data; a file
	// feed, in the checkout, is parsed each time (nothing is written there).
	parse := Parse
	if f.File == "" {
		parse = func(typ string, b []byte) (*Parsed, error) { return cache.ParseCached(f.Name, typ, b) }
	}
	if l.Data, err = parse(f.Type, b); err != nil {
		return nil, err
	}
	if d := l.Data.Date(); !d.IsZero() {
		l.Date = d
	}
	// A file feed that gives no date of its own (the Debian tracker)
	// stays undated: its modification time says when it was copied, not
	// how old its data is.
	if l.Date.IsZero() {
		l.Date = l.FetchedAt
	}
	return l, nil
}

func sortedNames(m map[string]*config.Feed) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
