package main

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/model"
)

// serveFleet is tend serve's agent-mode controller: connected at start with
// --nats, else started (with an embedded nats-server on --nats-listen) the
// first time a configuration in force has agent hosts.
type serveFleet struct {
	o      fleet.Options
	listen string
	store  string
	log    logrus.FieldLogger

	mu  sync.Mutex
	ctl *fleet.Controller
	emb *fleet.Embedded
	err error
}

func newServeFleet(ctx context.Context, f *serveFlags, stateDir string, log logrus.FieldLogger) (*serveFleet, error) {
	sf := &serveFleet{
		o: fleet.Options{URL: f.nats, CredsFile: f.natsCreds, CAFile: f.natsCA, JobTimeout: f.agentTimeout,
			InventoryDir: filepath.Join(stateDir, "agents", "inventory"), Log: log, StaleAfter: f.agentStaleAfter,
			PresenceFile: fleet.PresencePath(stateDir), EnrolledDir: fleet.EnrolledPath(stateDir)},
		listen: f.natsListen, store: filepath.Join(stateDir, "nats"), log: log,
	}
	if f.nats != "" {
		ctl, err := fleet.Connect(ctx, sf.o)
		if err != nil {
			return nil, err
		}
		sf.ctl = ctl
	}
	return sf, nil
}

// controller returns the controller, starting the embedded server the
// first time it is needed.
func (sf *serveFleet) controller(ctx context.Context) (*fleet.Controller, error) {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if sf.ctl != nil || sf.err != nil {
		return sf.ctl, sf.err
	}
	emb, err := fleet.StartEmbedded(sf.listen, sf.store)
	if err != nil {
		sf.err = err
		return nil, err
	}
	o := sf.o
	o.URL = emb.URL()
	ctl, err := fleet.Connect(ctx, o)
	if err != nil {
		emb.Shutdown()
		sf.err = err
		return nil, err
	}
	sf.log.WithField("url", emb.URL()).Info("started the embedded NATS server for agent hosts")
	sf.emb, sf.ctl = emb, ctl
	return ctl, nil
}

func (sf *serveFleet) PublishDesired(ctx context.Context, cfg *config.Config, commit string) (map[string]uint64, error) {
	sf.mu.Lock()
	started := sf.ctl != nil
	sf.mu.Unlock()
	if !started && !fleet.HasAgents(cfg) {
		return nil, nil
	}
	ctl, err := sf.controller(ctx)
	if err != nil {
		return nil, err
	}
	return ctl.PublishDesired(ctx, cfg, commit)
}

func (sf *serveFleet) Run(ctx context.Context, h model.HostPlan, pol *config.Policy, ring, parallel int) apply.HostResult {
	ctl, err := sf.controller(ctx)
	if err != nil {
		return fleet.FailHost(h, errors.New("unreachable: no connection to the agents: "+err.Error()))
	}
	return ctl.Run(ctx, h, pol, ring, parallel)
}

func (sf *serveFleet) InventoryDir() string { return sf.o.InventoryDir }

// Presence is the controller's (daemon.FleetPresence); nil before the
// controller started (no agent mode yet).
func (sf *serveFleet) Presence(now time.Time) (*model.AgentPresence, error) {
	sf.mu.Lock()
	ctl := sf.ctl
	sf.mu.Unlock()
	if ctl == nil {
		return nil, nil
	}
	return ctl.Presence(now)
}

func (sf *serveFleet) Close() {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if sf.ctl != nil {
		sf.ctl.Close()
	}
	if sf.emb != nil {
		sf.emb.Shutdown()
	}
}
