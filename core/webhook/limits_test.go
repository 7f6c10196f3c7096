package webhook

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingBody is a request body that counts the bytes read from it.
type countingBody struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingBody) Close() error { return nil }

// serve runs one request through h with body as its (counted) body.
func serve(h *Handler, hdr map[string]string, body io.Reader, contentLength int64) (*httptest.ResponseRecorder, *countingBody) {
	cb := &countingBody{r: body}
	req := httptest.NewRequest(http.MethodPost, "/webhook", nil)
	req.Body = cb
	req.ContentLength = contentLength
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec, cb
}

// TestHandlerMaxBody: a body over the limit is answered 413 before its
// signature is checked. With a Content-Length, not a byte of it is read;
// without one (chunked), reading stops just past the limit.
func TestHandlerMaxBody(t *testing.T) {
	const limit = 1 << 20
	big := bytes.Repeat([]byte("x"), 4<<20)
	sig := Sign(secret, big)
	for _, tt := range []struct {
		name          string
		maxBody       int64
		contentLength int64
		maxRead       int64
	}{
		{"default limit, Content-Length", 0, int64(len(big)), 0},
		{"default limit, chunked", 0, -1, limit + 1},
		{"explicit limit, Content-Length", 1000, int64(len(big)), 0},
		{"explicit limit, chunked", 1000, -1, 1001},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var results []string
			h := &Handler{Secret: secret, Branch: "main", MaxBody: tt.maxBody,
				Trigger: func(Push) { t.Error("an oversized body triggered a push") },
				Observe: func(r string) { results = append(results, r) }}
			want := int64(limit)
			if tt.maxBody != 0 {
				want = tt.maxBody
			}
			rec, cb := serve(h, github(sig, "push"), bytes.NewReader(big), tt.contentLength)
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("status %d (%q), want 413", rec.Code, rec.Body.String())
			}
			if got, w := rec.Body.String(), fmt.Sprintf("payload too large: limit is %d bytes\n", want); got != w {
				t.Errorf("body %q, want %q", got, w)
			}
			if n := cb.n.Load(); n > tt.maxRead {
				t.Errorf("read %d bytes of the %d-byte body, want at most %d", n, len(big), tt.maxRead)
			}
			if rec.Header().Get("Connection") != "close" {
				t.Errorf("Connection = %q, want close: the unread body must not be drained", rec.Header().Get("Connection"))
			}
			if len(results) != 1 || results[0] != ResultTooLarge {
				t.Errorf("Observe calls %v, want [%s]", results, ResultTooLarge)
			}
		})
	}
}

// blockingBody blocks its first Read until release is closed, and reports
// that a Read started on reading.
type blockingBody struct {
	reading chan struct{}
	once    sync.Once
	release chan struct{}
	r       io.Reader
}

func (b *blockingBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.reading) })
	<-b.release
	return b.r.Read(p)
}

func (b *blockingBody) Close() error { return nil }

// TestHandlerBusy: while MaxConcurrent requests are reading their bodies,
// one more is answered 503 without its body being read, and a slot freed
// serves the next again.
func TestHandlerBusy(t *testing.T) {
	body := []byte(`{"ref":"refs/heads/main","after":"` + ghAfter + `"}`)
	sig := Sign(secret, body)
	var mu sync.Mutex
	var results []string
	h := &Handler{Secret: secret, Branch: "main", MaxConcurrent: 2, Trigger: func(Push) {},
		Observe: func(r string) { mu.Lock(); results = append(results, r); mu.Unlock() }}

	release := make(chan struct{})
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, after := range []string{glAfter, sha256ID} {
		slow := []byte(`{"ref":"refs/heads/main","after":"` + after + `"}`)
		b := &blockingBody{reading: make(chan struct{}), release: release, r: bytes.NewReader(slow)}
		req := httptest.NewRequest(http.MethodPost, "/webhook", nil)
		req.Body = b
		req.ContentLength = int64(len(slow))
		req.Header.Set("X-Tend-Signature", Sign(secret, slow))
		req.Header.Set("X-Request-Id", fmt.Sprintf("slow-%d", i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			codes[i] = rec.Code
		}()
		select {
		case <-b.reading:
		case <-time.After(30 * time.Second):
			t.Fatalf("slow request %d never started reading its body", i)
		}
	}

	done := make(chan struct{})
	var rec *httptest.ResponseRecorder
	var cb *countingBody
	go func() {
		defer close(done)
		rec, cb = serve(h, generic(sig), bytes.NewReader(body), int64(len(body)))
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		close(release)
		t.Fatal("a request over MaxConcurrent waited instead of being answered 503")
	}
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("over the limit: status %d (%q), want 503", rec.Code, rec.Body.String())
	}
	if rec.Header().Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if n := cb.n.Load(); n != 0 {
		t.Errorf("over the limit: %d body bytes read, want 0", n)
	}

	close(release)
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusAccepted {
			t.Errorf("slow request %d: status %d, want 202", i, c)
		}
	}
	next := []byte(`{"ref":"refs/heads/main"}`)
	again := map[string]string{"X-Tend-Signature": Sign(secret, next), "X-Request-Id": "after-release"}
	if rec, _ := serve(h, again, bytes.NewReader(next), -1); rec.Code != http.StatusAccepted {
		t.Errorf("after the slow requests finished: status %d (%q), want 202", rec.Code, rec.Body.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(strings.Join(results, " "), ResultBusy) {
		t.Errorf("Observe calls %v lack %s", results, ResultBusy)
	}
}

// TestHandlerReplay: a delivery accepted once is acknowledged but not
// triggered again, whether it comes back with the same delivery id or the
// same signed body under a new id. A request that failed verification
// records nothing, so it cannot block the real delivery.
func TestHandlerReplay(t *testing.T) {
	ghBody := fixture(t, "github_push.json")
	ghSig := Sign(secret, ghBody)
	other := []byte(`{"ref":"refs/heads/main","after":"` + glAfter + `"}`)
	otherSig := Sign(secret, other)
	empty := []byte(`{}`)
	emptySig := Sign(secret, empty)
	withID := func(h map[string]string, k, id string) map[string]string {
		h[k] = id
		return h
	}
	type req struct {
		name   string
		header map[string]string
		body   []byte
		status int
		result string
	}
	steps := []req{
		{"forged, with the real delivery id", github(Sign([]byte("guess"), ghBody), "push"), ghBody, 401, ResultUnauthorized},
		{"the real delivery", github(ghSig, "push"), ghBody, 202, ResultAccepted},
		{"redelivered", github(ghSig, "push"), ghBody, 200, ResultDuplicate},
		{"replayed under a new delivery id", withID(github(ghSig, "push"), "X-GitHub-Delivery", "f00dfeed-0000-0000-0000-000000000001"), ghBody, 200, ResultDuplicate},
		{"another push, same delivery id", github(otherSig, "push"), other, 200, ResultDuplicate},
		{"gitlab delivery", gitlab(string(secret), "Push Hook"), fixture(t, "gitlab_push.json"), 202, ResultAccepted},
		{"gitlab redelivered", withID(gitlab(string(secret), "Push Hook"), "X-Gitlab-Event-UUID", glID), other, 200, ResultDuplicate},
		{"generic without a commit", withID(generic(emptySig), "X-Request-Id", "a"), empty, 202, ResultAccepted},
		{"generic without a commit, new id", withID(generic(emptySig), "X-Request-Id", "b"), empty, 202, ResultAccepted},
		{"generic without a commit, same id", withID(generic(emptySig), "X-Request-Id", "b"), empty, 200, ResultDuplicate},
		{"generic without an id", map[string]string{"X-Tend-Signature": emptySig}, empty, 202, ResultAccepted},
		{"generic without an id, again", map[string]string{"X-Tend-Signature": emptySig}, empty, 202, ResultAccepted},
	}
	var triggered int
	var results []string
	h := &Handler{Secret: secret, Branch: "main", Trigger: func(Push) { triggered++ },
		Observe: func(r string) { results = append(results, r) }}
	wantTriggers := 0
	for _, s := range steps {
		rec, _ := serve(h, s.header, bytes.NewReader(s.body), int64(len(s.body)))
		if rec.Code != s.status {
			t.Errorf("%s: status %d (%q), want %d", s.name, rec.Code, rec.Body.String(), s.status)
		}
		if got := results[len(results)-1]; got != s.result {
			t.Errorf("%s: result %s, want %s", s.name, got, s.result)
		}
		if s.result == ResultAccepted {
			wantTriggers++
		}
		if s.result == ResultDuplicate && !strings.HasPrefix(rec.Body.String(), "duplicate delivery") {
			t.Errorf("%s: body %q does not say duplicate", s.name, rec.Body.String())
		}
	}
	if triggered != wantTriggers {
		t.Errorf("Trigger called %d times, want %d", triggered, wantTriggers)
	}
}

// TestReplaysBounded: the replay memory keeps the most recent deliveries
// only.
func TestReplaysBounded(t *testing.T) {
	r := newReplays(3)
	for _, k := range []string{"a", "b", "c"} {
		if !r.add(k) {
			t.Fatalf("add(%q) on first sight = false", k)
		}
	}
	if r.add("a") || r.add("x", "c") {
		t.Fatal("a remembered key was accepted again")
	}
	if !r.add("d") { // evicts a
		t.Fatal("add(d) = false")
	}
	if !r.add("a") {
		t.Fatal("the oldest key was not forgotten")
	}
	if len(r.keys) != 3 {
		t.Fatalf("%d keys remembered, want 3", len(r.keys))
	}
}
