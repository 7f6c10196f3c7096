package feeds

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/config"
)

// feedServer serves body at /kev.json with an ETag, answering 304 to a
// matching If-None-Match; status overrides the answer when set.
type feedServer struct {
	mu       sync.Mutex
	body     []byte
	etag     string
	status   int
	requests []http.Header
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Header.Clone())
	if s.status != 0 {
		w.WriteHeader(s.status)
		return
	}
	if r.Header.Get("If-None-Match") == s.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", s.etag)
	w.Header().Set("Last-Modified", "Mon, 25 Aug 2025 17:05:00 GMT")
	w.Write(s.body)
}

func (s *feedServer) set(body []byte, etag string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.etag, s.status = body, etag, status
}

func TestCacheUpdate(t *testing.T) {
	good := fixture(t, "kev.json")
	fs := &feedServer{}
	fs.set(good, `"v1"`, 0)
	srv := httptest.NewTLSServer(fs)
	defer srv.Close()
	c := &Cache{Dir: t.TempDir(), Client: srv.Client()}
	f := &config.Feed{Name: "kev", Type: config.FeedKEV, URL: srv.URL + "/kev.json"}
	ctx := context.Background()

	r := c.Update(ctx, f)
	if r.Outcome != Updated || r.Err != nil {
		t.Fatalf("first update: %s %v", r.Outcome, r.Err)
	}
	if r.Meta.ETag != `"v1"` || r.Meta.FeedDate.Format("2006-01-02") != "2025-08-25" || r.Meta.Size != int64(len(good)) {
		t.Errorf("meta after the first fetch: %+v", r.Meta)
	}
	fetched := r.Meta.FetchedAt

	// The second fetch is conditional, and the server's 304 keeps the copy.
	r = c.Update(ctx, f)
	if r.Outcome != Unchanged || r.Err != nil {
		t.Fatalf("second update: %s %v", r.Outcome, r.Err)
	}
	if h := fs.requests[1]; h.Get("If-None-Match") != `"v1"` || h.Get("If-Modified-Since") == "" {
		t.Errorf("second request's headers: %v", h)
	}
	if !r.Meta.FetchedAt.Equal(fetched) {
		t.Errorf("a 304 moved fetched_at to %v", r.Meta.FetchedAt)
	}

	// A broken download is refused; the last good copy stays.
	fs.set([]byte(`{"title": "CISA Catalog", "vulnerabilities": [{"cveID": "CVE-2023-48`), `"v2"`, 0)
	r = c.Update(ctx, f)
	if r.Outcome != Refused || r.Err == nil {
		t.Fatalf("broken file: %s %v", r.Outcome, r.Err)
	}
	assertCopy(t, c, good)

	// A failed fetch is reported; nothing is lost.
	fs.set(nil, "", http.StatusInternalServerError)
	r = c.Update(ctx, f)
	if r.Outcome != Failed || r.Err == nil {
		t.Fatalf("server error: %s %v", r.Outcome, r.Err)
	}
	assertCopy(t, c, good)
	srv.Close()
	r = c.Update(ctx, f)
	if r.Outcome != Failed || r.Err == nil {
		t.Fatalf("server gone: %s %v", r.Outcome, r.Err)
	}
	assertCopy(t, c, good)
	m, _, err := c.ReadMeta("kev")
	if err != nil || m.LastError == "" || m.ETag != `"v1"` {
		t.Errorf("meta after failures: %+v %v", m, err)
	}

	// The cached copy loads for offline use, with its date.
	cfg := &config.Config{Dir: t.TempDir(), Feeds: map[string]*config.Feed{"kev": f}}
	loaded, errs := Load(cfg, c)
	if len(errs) != 0 || len(loaded) != 1 || loaded[0].Data.KEV == nil || loaded[0].Date.Format("2006-01-02") != "2025-08-25" {
		t.Fatalf("Load: %v %v", loaded, errs)
	}
}

func assertCopy(t *testing.T, c *Cache, want []byte) {
	t.Helper()
	got, err := os.ReadFile(c.dataPath("kev"))
	if err != nil || string(got) != string(want) {
		t.Fatalf("cached copy changed (%v)", err)
	}
}

func TestLoadNotFetched(t *testing.T) {
	f := &config.Feed{Name: "kev", Type: config.FeedKEV, URL: "https://example.invalid/kev.json"}
	cfg := &config.Config{Dir: t.TempDir(), Feeds: map[string]*config.Feed{"kev": f}}
	_, errs := Load(cfg, &Cache{Dir: t.TempDir()})
	if errs["kev"] != ErrNotFetched {
		t.Errorf("errs = %v", errs)
	}
}

func TestDue(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	f := &config.Feed{Name: "kev", Type: config.FeedKEV, URL: "https://example.invalid/kev.json", Refresh: 6 * time.Hour}
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	if !c.Due(f, now) {
		t.Error("never fetched: not due")
	}
	if err := c.writeMeta("kev", Meta{URL: f.URL, CheckedAt: now}); err != nil {
		t.Fatal(err)
	}
	if c.Due(f, now.Add(5*time.Hour)) || !c.Due(f, now.Add(6*time.Hour)) {
		t.Error("refresh interval not honoured")
	}
	other := *f
	other.URL = "https://example.invalid/other.json"
	if !c.Due(&other, now) {
		t.Error("a new URL is not due")
	}
	if c.Due(&config.Feed{Name: "file", File: "kev.json"}, now) {
		t.Error("a file feed is due")
	}
}
