package fleet

import (
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/tend-sh/tend/core/fleetauth"
)

// DefaultListen is where tend serve's embedded NATS server listens.
const DefaultListen = "127.0.0.1:4222"

// MaxPayload is the largest message the embedded server takes (NATS's
// default is 1 MB; 8 MB is the largest it recommends): desired-state
// documents of groups of thousands of hosts, scans of hosts with many
// packages.
const MaxPayload = 8 << 20

// Embedded is a nats-server with JetStream that tend serve runs itself, for
// installations without their own NATS.
type Embedded struct {
	srv      *server.Server
	url      string
	host     string
	port     int
	storeDir string

	mu   sync.Mutex
	auth string // the accounts block in force; "" without accounts
}

// StartEmbedded starts a nats-server with JetStream listening on listen
// (host:port; empty for DefaultListen), its store in storeDir, without
// authentication: for tests and a server nothing else can reach. tend
// serve uses StartEmbeddedHub.
func StartEmbedded(listen, storeDir string) (*Embedded, error) {
	return startEmbedded(listen, storeDir, nil)
}

// StartEmbeddedHub starts the embedded server with hub's accounts and
// users (fleetauth.Hub): the controller and the enrolled agents
// authenticate with their nkeys and get only their permissions; every
// other connection is refused. Reload changes them while it runs.
func StartEmbeddedHub(listen, storeDir string, hub fleetauth.Hub) (*Embedded, error) {
	return startEmbedded(listen, storeDir, &hub)
}

func startEmbedded(listen, storeDir string, hub *fleetauth.Hub) (*Embedded, error) {
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
	e := &Embedded{host: host, port: port, storeDir: storeDir}
	o, auth, err := e.options(hub)
	if err != nil {
		return nil, err
	}
	srv, err := server.NewServer(o)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(time.Minute) {
		srv.Shutdown()
		return nil, fmt.Errorf("embedded NATS server on %s did not start within a minute", listen)
	}
	e.srv, e.url, e.auth = srv, srv.ClientURL(), auth
	return e, nil
}

// options are the server's options with hub's accounts (none when nil),
// and the rendered accounts block.
func (e *Embedded) options(hub *fleetauth.Hub) (*server.Options, string, error) {
	o := &server.Options{
		ServerName: "tend-embedded", Host: e.host, Port: e.port,
		JetStream: true, StoreDir: e.storeDir, NoSigs: true, NoLog: true,
		WriteDeadline: time.Minute,
		// A desired-state document carries the group's configuration and
		// host list; a large fleet's passes NATS's default of 1 MB.
		MaxPayload: MaxPayload,
	}
	if hub == nil {
		return o, "", nil
	}
	auth, err := hub.Config()
	if err != nil {
		return nil, "", err
	}
	if err := o.ProcessConfigString(auth); err != nil {
		return nil, "", fmt.Errorf("embedded NATS server accounts: %w", err)
	}
	return o, auth, nil
}

// Reload puts hub's accounts and users in force without a restart
// (nats-server's configuration reload): a newly enrolled agent may connect
// from now on, a removed one is disconnected, changed permissions apply
// to connected agents. It reports whether anything changed; an unchanged
// hub is not reloaded.
func (e *Embedded) Reload(hub fleetauth.Hub) (bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.auth == "" {
		return false, fmt.Errorf("the embedded NATS server was started without accounts")
	}
	auth, err := hub.Config()
	if err != nil {
		return false, err
	}
	if auth == e.auth {
		return false, nil
	}
	o, _, err := e.options(&hub)
	if err != nil {
		return false, err
	}
	added := false
	for _, a := range o.Accounts {
		if _, err := e.srv.LookupAccount(a.Name); err != nil {
			added = true
		}
	}
	if err := e.srv.ReloadOptions(o); err != nil {
		return false, fmt.Errorf("reloading the embedded NATS server's accounts: %w", err)
	}
	e.auth = auth
	if added {
		// nats-server 2.15 wires the service imports of an account a
		// reload creates to the exporting account of the options, not to
		// the live one (their requests find no responders); a second
		// reload, the account now existing, wires them properly.
		if o, _, err = e.options(&hub); err == nil {
			err = e.srv.ReloadOptions(o)
		}
		if err != nil {
			return true, fmt.Errorf("reloading the embedded NATS server's accounts: %w", err)
		}
	}
	return true, nil
}

// URL is the embedded server's client URL.
func (e *Embedded) URL() string { return e.url }

// Shutdown stops the server and waits until it is down.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}
