package fleet

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// DefaultListen is where tend serve's embedded NATS server listens.
const DefaultListen = "127.0.0.1:4222"

// Embedded is a nats-server with JetStream that tend serve runs itself, for
// installations without their own NATS.
type Embedded struct {
	srv *server.Server
	url string
}

// StartEmbedded starts a nats-server with JetStream listening on listen
// (host:port; empty for DefaultListen), its store in storeDir.
func StartEmbedded(listen, storeDir string) (*Embedded, error) {
	if listen == "" {
		listen = DefaultListen
	}
	host, portText, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("NATS listen address %q: %w", listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("NATS listen address %q: the port must be a number from 0 to 65535", listen)
	}
	srv, err := server.NewServer(&server.Options{
		ServerName: "tend-embedded", Host: host, Port: port,
		JetStream: true, StoreDir: storeDir, NoSigs: true, NoLog: true,
		WriteDeadline: time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(time.Minute) {
		srv.Shutdown()
		return nil, fmt.Errorf("embedded NATS server on %s did not start within a minute", listen)
	}
	return &Embedded{srv: srv, url: srv.ClientURL()}, nil
}

// URL is the embedded server's client URL.
func (e *Embedded) URL() string { return e.url }

// Shutdown stops the server and waits until it is down.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}
