package feeds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/tend-sh/tend/core/config"
)

// MaxFeedSize bounds a feed download (and a decompressed EPSS file): the
// full Debian tracker JSON is about 60 MB.
const MaxFeedSize = 1 << 30

// DefaultDir is the feed cache inside the configuration directory.
const DefaultDir = ".tend/feeds"

// Meta is what the cache records about a fetched feed, in NAME.meta.json
// beside its data NAME.data.
type Meta struct {
	URL          string `json:"url"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// FetchedAt is when the data was downloaded; CheckedAt when the server
	// was last asked (a 304 moves only CheckedAt).
	FetchedAt time.Time `json:"fetched_at"`
	CheckedAt time.Time `json:"checked_at"`
	// FeedDate is the date the feed gives itself (KEV dateReleased, EPSS
	// score_date, newest OSV modified), else Last-Modified, else FetchedAt.
	FeedDate time.Time `json:"feed_date"`
	SHA256   string    `json:"sha256"`
	Size     int64     `json:"size"`
	// LastError is why the last attempt kept the previous copy, if it did.
	LastError string `json:"last_error,omitempty"`
}

// Outcome of an update.
const (
	Updated   = "updated"   // new data downloaded, parsed and stored
	Unchanged = "unchanged" // the server said 304 Not Modified
	Refused   = "refused"   // downloaded, did not parse: the last good copy stays
	Failed    = "failed"    // the fetch failed: the last good copy stays
)

// Result is the outcome of updating one feed.
type Result struct {
	Feed    string
	Outcome string
	Meta    Meta
	Err     error
}

// Cache is a directory of fetched feeds.
type Cache struct {
	Dir    string
	Client *http.Client
	// Now stamps fetches (default time.Now).
	Now func() time.Time
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC()
	}
	return time.Now().UTC()
}

func (c *Cache) dataPath(name string) string { return filepath.Join(c.Dir, name+".data") }
func (c *Cache) metaPath(name string) string { return filepath.Join(c.Dir, name+".meta.json") }

// ReadMeta returns the recorded meta of a feed; ok is false when it was
// never fetched.
func (c *Cache) ReadMeta(name string) (Meta, bool, error) {
	var m Meta
	b, err := os.ReadFile(c.metaPath(name))
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, false, fmt.Errorf("%s: %w", c.metaPath(name), err)
	}
	return m, true, nil
}

// ReadData returns a fetched feed's cached data and its SHA-256 (hex).
func (c *Cache) ReadData(name string) (data []byte, sha string, err error) {
	data, err = os.ReadFile(c.dataPath(name))
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:]), nil
}

// Update fetches f (a feed with a url) with a conditional request. New
// data is stored only when it parses as f's type; otherwise, and when the
// fetch fails, the last good copy stays and the error is recorded.
func (c *Cache) Update(ctx context.Context, f *config.Feed) Result {
	res := Result{Feed: f.Name}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		res.Outcome, res.Err = Failed, err
		return res
	}
	prev, had, err := c.ReadMeta(f.Name)
	if err != nil {
		res.Outcome, res.Err = Failed, err
		return res
	}
	if had {
		if _, err := os.Stat(c.dataPath(f.Name)); err != nil || prev.URL != f.URL {
			had = false // no data to revalidate, or another URL now
		}
	}
	res.Meta = prev
	keep := func(outcome string, err error) Result {
		res.Outcome, res.Err = outcome, err
		if had {
			res.Meta.LastError = err.Error()
			_ = c.writeMeta(f.Name, res.Meta)
		}
		return res
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return keep(Failed, err)
	}
	if had {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	client := c.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return keep(Failed, err)
	}
	defer resp.Body.Close()
	now := c.now()
	switch {
	case resp.StatusCode == http.StatusNotModified && had:
		res.Meta.CheckedAt, res.Meta.LastError = now, ""
		res.Outcome = Unchanged
		if err := c.writeMeta(f.Name, res.Meta); err != nil {
			res.Outcome, res.Err = Failed, err
		}
		return res
	case resp.StatusCode != http.StatusOK:
		return keep(Failed, fmt.Errorf("GET %s: %s", f.URL, resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxFeedSize+1))
	if err != nil {
		return keep(Failed, fmt.Errorf("GET %s: %w", f.URL, err))
	}
	if len(body) > MaxFeedSize {
		return keep(Refused, fmt.Errorf("GET %s: larger than %d bytes", f.URL, MaxFeedSize))
	}
	parsed, err := c.ParseCached(f.Name, f.Type, body) // leaves the parsed copy plans read
	if err != nil {
		return keep(Refused, fmt.Errorf("%s did not parse, kept the last good copy: %w", f.URL, err))
	}
	sum := sha256.Sum256(body)
	m := Meta{URL: f.URL, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		FetchedAt: now, CheckedAt: now, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(body))}
	m.FeedDate = parsed.Date()
	if m.FeedDate.IsZero() {
		if t, err := http.ParseTime(m.LastModified); err == nil {
			m.FeedDate = t.UTC()
		} else {
			m.FeedDate = now
		}
	}
	if err := writeAtomic(c.dataPath(f.Name), body); err != nil {
		return keep(Failed, err)
	}
	if err := c.writeMeta(f.Name, m); err != nil {
		res.Outcome, res.Err = Failed, err
		return res
	}
	res.Outcome, res.Meta = Updated, m
	return res
}

func (c *Cache) writeMeta(name string, m Meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(c.metaPath(name), append(b, '\n'))
}

// writeAtomic replaces path with data through a temporary file, so a
// reader sees the old or the new file, never half of one.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// Due reports whether url feed f should be fetched at now: never fetched,
// fetched from another URL, or last checked a refresh interval ago or more.
func (c *Cache) Due(f *config.Feed, now time.Time) bool {
	if f.URL == "" {
		return false
	}
	m, ok, err := c.ReadMeta(f.Name)
	if err != nil || !ok || m.URL != f.URL {
		return true
	}
	last := m.CheckedAt
	if last.IsZero() {
		last = m.FetchedAt
	}
	return !now.Before(last.Add(f.Refresh))
}
