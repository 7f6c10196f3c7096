package fleet

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/fleetauth"
)

func userSeed(t *testing.T, dir, name string) (path, pub string) {
	t.Helper()
	path = filepath.Join(dir, name+".nk")
	pub, _, err := fleetauth.UserSeed(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, pub
}

// agentConn connects as host's agent with the seed in path.
func agentConn(url, host, path string) (*nats.Conn, error) {
	opt, err := nats.NkeyOptionFromSeed(path)
	if err != nil {
		return nil, err
	}
	return nats.Connect(url, opt, nats.CustomInboxPrefix(fleetauth.InboxPrefix(host)), nats.Timeout(time.Minute))
}

// TestEmbeddedHubReload: the embedded server with accounts refuses
// connections without a known key; the controller publishes desired state
// in its account; an agent key added by Reload is admitted at once and
// reads its group's desired state through its client's imports, and a key
// removed by Reload is disconnected and refused again. a1 is the only host of client acme:
// its account is created by the reload (see Reload on nats-server's
// imports of a new account).
func TestEmbeddedHubReload(t *testing.T) {
	dir := t.TempDir()
	ctlSeed, ctlPub := userSeed(t, dir, "controller")
	a1Seed, a1Pub := userSeed(t, dir, "a1")
	cfg := agentConfig(t, []string{"a1", "a2"}, "")
	cfg.Hosts["a1"].Labels["client"] = "acme"
	hub := func(enrolled map[string]string) fleetauth.Hub {
		ts, err := fleetauth.Tenants(cfg, enrolled, nil)
		if err != nil {
			t.Fatal(err)
		}
		return fleetauth.Hub{Controller: ctlPub, Tenants: ts}
	}
	e, err := StartEmbeddedHub("127.0.0.1:0", t.TempDir(), hub(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	if nc, err := nats.Connect(e.URL(), nats.Timeout(time.Minute)); err == nil {
		nc.Close()
		t.Fatal("an unauthenticated connection was accepted")
	}
	ctx := context.Background()
	c, err := Connect(ctx, Options{URL: e.URL(), NkeyFile: ctlSeed, Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.PublishDesired(ctx, cfg, "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := agentConn(e.URL(), "a1", a1Seed); err == nil {
		t.Fatal("a1 connected before its key was enrolled")
	}

	if changed, err := e.Reload(hub(map[string]string{"a1": a1Pub})); err != nil || !changed {
		t.Fatalf("reload: %v %v", changed, err)
	}
	if changed, err := e.Reload(hub(map[string]string{"a1": a1Pub})); err != nil || changed {
		t.Fatalf("a second reload of the same accounts: %v %v", changed, err)
	}
	nc, err := agentConn(e.URL(), "a1", a1Seed)
	if err != nil {
		t.Fatalf("a1 after the reload: %v", err)
	}
	defer nc.Close()
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	m, err := nc.RequestWithContext(rctx, agentwire.DirectGetLast(agentwire.StreamDesired, agentwire.DesiredSubject("x")), nil)
	if err != nil {
		t.Fatalf("a1's direct get of group x: %v", err)
	}
	if len(m.Data) == 0 {
		t.Fatalf("a1's direct get of group x: empty answer, headers %v", m.Header)
	}
	// The controller still works after the reload: a new revision.
	cfg.Hosts["a2"].Labels["role"] = "y"
	if _, err := c.PublishDesired(ctx, cfg, "c2"); err != nil {
		t.Fatalf("publishing after the reload: %v", err)
	}

	// Revoked: the connected agent is disconnected, a new connection refused.
	if _, err := e.Reload(hub(nil)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a1 disconnected after its key was removed", func() bool { return !nc.IsConnected() })
	if _, err := agentConn(e.URL(), "a1", a1Seed); err == nil {
		t.Fatal("a1 connected after its key was removed")
	}
}
