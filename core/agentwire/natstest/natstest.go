// Package natstest runs a real nats-server with JetStream inside a test,
// listening on 127.0.0.1, its store in the test's temporary directory.
package natstest

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is an embedded nats-server for one test.
type Server struct {
	*server.Server
	opts *server.Options
	t    testing.TB
}

// Start starts a server with JetStream on a free 127.0.0.1 port; configure,
// if set, adjusts its options first (accounts, users, limits). The server
// shuts down when the test ends.
func Start(t testing.TB, configure func(*server.Options)) *Server {
	t.Helper()
	o := &server.Options{
		Host:      "127.0.0.1",
		Port:      freePort(t),
		JetStream: true,
		StoreDir:  t.TempDir(),
		NoSigs:    true,
		NoLog:     true,
		// A loaded CI machine is slow: keep the server patient.
		WriteDeadline: time.Minute,
	}
	if configure != nil {
		configure(o)
	}
	s := &Server{opts: o, t: t}
	s.start()
	t.Cleanup(s.Shutdown)
	return s
}

// URL is the server's client URL.
func (s *Server) URL() string { return fmt.Sprintf("nats://%s:%d", s.opts.Host, s.opts.Port) }

// Options are the options the server was started with.
func (s *Server) Options() *server.Options { return s.opts }

// Restart shuts the server down and starts it again on the same port and
// store directory, as a hub restart does.
func (s *Server) Restart() {
	s.t.Helper()
	s.Shutdown()
	s.WaitForShutdown()
	s.start()
}

func (s *Server) start() {
	s.t.Helper()
	srv, err := server.NewServer(s.opts.Clone())
	if err != nil {
		s.t.Fatalf("nats-server: %v", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(2 * time.Minute) {
		s.t.Fatalf("nats-server on %s:%d not ready after 2 minutes", s.opts.Host, s.opts.Port)
	}
	s.Server = srv
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
