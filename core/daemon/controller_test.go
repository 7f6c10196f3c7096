package daemon

import (
	"context"
	"path/filepath"

	"github.com/nats-io/nats.go"
	"github.com/tend-sh/tend/core/agentwire/natstest"
	"github.com/tend-sh/tend/core/fleet"
)

// controller starts an embedded nats-server and the fleet controller on
// it, with o's URL, InventoryDir (STATE/agents/inventory) and Log set, and
// connects a client that plays the agents; all are closed when the test
// ends.
func (l *lab) controller(o fleet.Options) (*fleet.Controller, *nats.Conn) {
	l.t.Helper()
	s := natstest.Start(l.t, nil)
	o.URL, o.InventoryDir, o.Log = s.URL(), filepath.Join(l.state, "agents", "inventory"), l.log
	ctl, err := fleet.Connect(context.Background(), o)
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(ctl.Close)
	nc, err := nats.Connect(s.URL())
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(nc.Close)
	return ctl, nc
}
