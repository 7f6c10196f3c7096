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
	// Where is set when a url feed was read from a copy (Copy.Where)
	// rather than the cache.
	Where string
}

// ErrNotFetched means a url feed has no cached copy yet.
var ErrNotFetched = errors.New("not fetched yet (run tend feeds update)")

// Load reads every feed of cfg: file feeds from the configuration
// directory, url feeds from the cache. A feed that cannot be read is
// returned in errs by name and left out; the others still load.
func Load(cfg *config.Config, cache *Cache) (loaded []*Loaded, errs map[string]error) {
	return LoadWith(cfg, cache, nil)
}

// LoadWith is Load with copies of the url feeds kept elsewhere (nil for
// none): a url feed is read from its copy when the cache has none, or an
// older one (by FetchedAt), and the copy was fetched from the feed's URL.
func LoadWith(cfg *config.Config, cache *Cache, copies Copies) (loaded []*Loaded, errs map[string]error) {
	errs = map[string]error{}
	for _, name := range sortedNames(cfg.Feeds) {
		f := cfg.Feeds[name]
		l, err := loadOne(cfg.Dir, cache, copies, f)
		if err != nil {
			errs[name] = err
			continue
		}
		loaded = append(loaded, l)
	}
	return loaded, errs
}

func loadOne(dir string, cache *Cache, copies Copies, f *config.Feed) (*Loaded, error) {
	l := &Loaded{Feed: f}
	var b []byte
	var err error
	if f.File != "" {
		l.Source = filepath.Join(dir, f.File)
		b, err = os.ReadFile(l.Source)
	} else {
		l.Source = cache.dataPath(f.Name)
		m, ok, merr := cache.ReadMeta(f.Name)
		cached := merr == nil && ok && m.URL == f.URL
		if cached {
			if _, serr := os.Stat(l.Source); serr != nil {
				cached = false
			}
		}
		c, cerr := copyOf(copies, f)
		if c != nil && (!cached || c.FetchedAt.After(m.FetchedAt)) {
			lc, err := loadCopy(l, c)
			if err == nil || !cached {
				return lc, err
			}
			// A broken copy: the older cached one is read instead.
		}
		switch {
		case merr != nil:
			return nil, merr
		case !cached && cerr != nil:
			return nil, fmt.Errorf("%w; %w", ErrNotFetched, cerr)
		case !cached:
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

// copyOf returns the copy of url feed f, nil when there is none or it
// was fetched from another URL.
func copyOf(copies Copies, f *config.Feed) (*Copy, error) {
	if copies == nil {
		return nil, nil
	}
	c, err := copies(f.Name)
	if err != nil || c == nil || c.URL != f.URL {
		return nil, err
	}
	return c, nil
}

// loadCopy reads a url feed from its copy.
func loadCopy(l *Loaded, c *Copy) (*Loaded, error) {
	b, err := c.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Where, err)
	}
	if l.Data, err = Parse(l.Feed.Type, b); err != nil {
		return nil, fmt.Errorf("%s: %w", c.Where, err)
	}
	l.Source, l.Where, l.FetchedAt, l.Date = c.Where, c.Where, c.FetchedAt, c.Date
	if d := l.Data.Date(); !d.IsZero() {
		l.Date = d
	}
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
