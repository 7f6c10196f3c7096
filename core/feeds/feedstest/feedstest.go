// Package feedstest serves vulnerability feed files over HTTPS on
// 127.0.0.1 for tests, as a feed's origin does: each path's body with an
// ETag of its content, and 304 Not Modified to a request that sends it
// back.
package feedstest

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Server is a running feed server; Client() (httptest's) trusts it.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   map[string][]byte
	requests map[string]int
}

// Start serves bodies (URL path → file content) until the test ends.
func Start(t *testing.T, bodies map[string][]byte) *Server {
	t.Helper()
	s := &Server{bodies: maps.Clone(bodies), requests: map[string]int{}}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Fixtures reads files (URL path → file name in dir) into Start's bodies.
func Fixtures(t *testing.T, dir string, files map[string]string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for path, name := range files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[path] = b
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[r.URL.Path]++
	b, ok := s.bodies[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	etag := fmt.Sprintf(`"%x"`, sha256.Sum256(b))
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(b)
}

// Edit changes the body at path (its ETag with it) through edit.
func (s *Server) Edit(path string, edit func([]byte) []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies[path] = edit(s.bodies[path])
}

// Clear removes every body: every path is answered 404 from now on.
func (s *Server) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.bodies)
}

// Requests is how many requests each path has had.
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.requests)
}
