package daemon

import (
	"context"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
)

// Fleet is what the daemon needs of the agent-mode controller
// (core/fleet.Controller).
type Fleet interface {
	apply.Agents
	// PublishDesired publishes the desired state of cfg at commit.
	PublishDesired(ctx context.Context, cfg *config.Config, commit string) (map[string]uint64, error)
	// InventoryDir is where the agents' scans are ingested.
	InventoryDir() string
}

// agentScans publishes the desired state of the configuration in force and
// returns the agent hosts' last ingested scans. A failure is logged: the
// other hosts go on, and agent hosts without a scan are planned as hosts
// without inventory.
func (d *Daemon) agentScans(ctx context.Context, p *pass) map[string]*model.Snapshot {
	f := d.o.Fleet
	if f == nil {
		return nil
	}
	cfg := p.good.cfg
	if _, err := f.PublishDesired(ctx, cfg, p.good.commit.String()); err != nil {
		d.log.WithError(err).Error("could not publish the desired state to the agents")
	}
	snaps, err := inventory.ReadDir(f.InventoryDir())
	if err != nil {
		d.log.WithError(err).Warn("could not read the agents' scans")
		return nil
	}
	out := map[string]*model.Snapshot{}
	for name, s := range snaps {
		if h := cfg.Hosts[name]; h != nil && h.Transport == config.TransportAgent {
			out[name] = s
		}
	}
	return out
}

// agents is the apply seam for agent hosts; nil without a controller.
func (d *Daemon) agents() apply.Agents {
	if d.o.Fleet == nil {
		return nil
	}
	return d.o.Fleet
}
