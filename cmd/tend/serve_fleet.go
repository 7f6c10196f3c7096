package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/fleetauth"
	"github.com/tend-sh/tend/core/model"
)

// Where tend serve keeps agent mode's keys, below its state directory.
const (
	// controllerSeedFile is the controller's nkey seed (mode 0600), made
	// on the embedded server's first start.
	controllerSeedFile = "agents/controller.nk"
	// enrolledDir holds HOST.pub, one accepted agent key per host (tend
	// agent accept).
	enrolledDir = "agents/enrolled"
)

// enrolledPoll is how often the embedded server's enrolled keys are
// checked for changes.
var enrolledPoll = 2 * time.Second

// serveFleet is tend serve's agent-mode controller: connected at start with
// --nats, else started (with an embedded nats-server on --nats-listen) the
// first time a configuration in force has agent hosts.
//
// The embedded server authenticates everyone (fleetauth.Hub): the
// controller with its own nkey in the account TEND, each accepted agent
// with its host's nkey in its client's account. Its accounts follow the
// configuration in force and the keys in STATE/agents/enrolled, reloaded
// without a restart when either changes.
type serveFleet struct {
	o        fleet.Options
	listen   string
	store    string
	seed     string
	enrolled string
	log      logrus.FieldLogger

	mu       sync.Mutex
	ctl      *fleet.Controller
	emb      *fleet.Embedded
	err      error
	cfg      *config.Config // the configuration the accounts are built from
	keysSeen string         // the enrolled directory when last read
	stop     chan struct{}
	stopped  chan struct{}
}

func newServeFleet(ctx context.Context, f *serveFlags, stateDir string, log logrus.FieldLogger) (*serveFleet, error) {
	sf := &serveFleet{
		o: fleet.Options{URL: f.nats, CredsFile: f.natsCreds, CAFile: f.natsCA, JobTimeout: f.agentTimeout,
			InventoryDir: filepath.Join(stateDir, "agents", "inventory"), Log: log, StaleAfter: f.agentStaleAfter,
			PresenceFile: fleet.PresencePath(stateDir), EnrolledDir: fleet.EnrolledPath(stateDir)},
		listen: f.natsListen, store: filepath.Join(stateDir, "nats"), log: log,
		seed: filepath.Join(stateDir, controllerSeedFile), enrolled: filepath.Join(stateDir, enrolledDir),
	}
	// A controller lagging behind another never publishes older
	// configuration; the commit --allow-rewind names may go back, as the
	// daemon lets it.
	descends := fleet.GitDescends(filepath.Join(stateDir, "repo.git"))
	sf.o.Descends = func(commit, base string) (bool, error) {
		if f.allowRewind != "" && strings.HasPrefix(commit, strings.ToLower(f.allowRewind)) {
			return true, nil
		}
		return descends(commit, base)
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

// hub builds the embedded server's accounts from cfg and the enrolled keys;
// undeclared are the enrolled hosts cfg does not declare, which get no user.
func (sf *serveFleet) hub(cfg *config.Config) (h fleetauth.Hub, undeclared []string, err error) {
	pub, created, err := fleetauth.UserSeed(sf.seed)
	if err != nil {
		return h, nil, fmt.Errorf("the controller's nkey: %w", err)
	}
	if created {
		sf.log.WithField("seed", sf.seed).Info("created the controller's nkey")
	}
	enrolled, err := fleetauth.LoadEnrolled(sf.enrolled)
	if err != nil {
		return h, nil, err
	}
	for host := range enrolled {
		if cfg.Hosts[host] == nil {
			undeclared = append(undeclared, host)
		}
	}
	slices.Sort(undeclared)
	for _, name := range slices.Sorted(maps.Keys(cfg.Hosts)) {
		if host := cfg.Hosts[name]; host.Labels[fleetauth.ClientLabel] == fleetauth.ControllerAccount {
			return h, nil, fmt.Errorf("%s:%d: host %s: client %q is the name of tend serve's own NATS account: choose another client label",
				host.DeclRange.Filename, host.DeclRange.Start.Line, name, fleetauth.ControllerAccount)
		}
	}
	tenants, err := fleetauth.Tenants(cfg, enrolled, nil)
	if err != nil {
		return h, nil, err
	}
	h = fleetauth.Hub{Controller: pub, Tenants: tenants}
	if _, err := h.Config(); err != nil {
		return h, nil, err
	}
	return h, undeclared, nil
}

// accountsLog logs what the accounts now in force admit.
func (sf *serveFleet) accountsLog(msg string, h fleetauth.Hub, undeclared []string) {
	sf.log.WithField("agents", agentCount(h)).Info(msg)
	if len(undeclared) > 0 {
		sf.log.WithField("hosts", strings.Join(undeclared, ",")).Warn("enrolled agents whose hosts the configuration does not declare are refused until a host block or hosts file declares them")
	}
}

// controller returns the controller, starting the embedded server the
// first time it is needed, with the accounts of cfg (nil: only return the
// controller if there is one).
func (sf *serveFleet) controller(ctx context.Context, cfg *config.Config) (*fleet.Controller, error) {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if sf.ctl != nil || sf.err != nil {
		return sf.ctl, sf.err
	}
	if cfg == nil {
		return nil, errors.New("the embedded NATS server is not running: no configuration with agent hosts was published yet")
	}
	keys := sf.keysState()
	hub, undeclared, err := sf.hub(cfg)
	if err != nil {
		return nil, err
	}
	emb, err := fleet.StartEmbeddedHub(sf.listen, sf.store, hub)
	if err != nil {
		sf.err = err
		return nil, err
	}
	o := sf.o
	o.URL, o.NkeyFile = emb.URL(), sf.seed
	ctl, err := fleet.Connect(ctx, o)
	if err != nil {
		emb.Shutdown()
		sf.err = err
		return nil, err
	}
	sf.log.WithField("url", emb.URL()).Info("started the embedded NATS server for agent hosts")
	sf.accountsLog("the embedded NATS server admits the controller and the accepted agents of declared hosts", hub, undeclared)
	sf.emb, sf.ctl, sf.cfg, sf.keysSeen = emb, ctl, cfg, keys
	sf.stop, sf.stopped = make(chan struct{}), make(chan struct{})
	go sf.watchKeys()
	return ctl, nil
}

// keysState is a cheap summary of the enrolled directory (names, sizes,
// modification times): when it changes, the keys are read again.
func (sf *serveFleet) keysState() string {
	entries, err := os.ReadDir(sf.enrolled)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "%s %d %d\n", e.Name(), fi.Size(), fi.ModTime().UnixNano())
	}
	return b.String()
}

// watchKeys reloads the embedded server's accounts when the enrolled keys
// change (tend agent accept, or a key file removed to revoke a host).
func (sf *serveFleet) watchKeys() {
	defer close(sf.stopped)
	t := time.NewTicker(enrolledPoll)
	defer t.Stop()
	for {
		select {
		case <-sf.stop:
			return
		case <-t.C:
		}
		keys := sf.keysState()
		sf.mu.Lock()
		changed, cfg := keys != sf.keysSeen, sf.cfg
		sf.keysSeen = keys
		sf.mu.Unlock()
		if changed {
			sf.reload(cfg)
		}
	}
}

// reload puts the accounts of cfg and the enrolled keys in force in the
// embedded server; a failure is logged and the accounts in force stay.
func (sf *serveFleet) reload(cfg *config.Config) {
	hub, undeclared, err := sf.hub(cfg)
	if err == nil {
		var changed bool
		if changed, err = sf.emb.Reload(hub); err == nil && changed {
			sf.accountsLog("reloaded the embedded NATS server's accounts", hub, undeclared)
		}
	}
	if err != nil {
		sf.log.WithError(err).Error("could not reload the embedded NATS server's accounts; the previous ones stay in force")
	}
}

func agentCount(h fleetauth.Hub) int {
	n := 0
	for _, t := range h.Tenants {
		n += len(t.Agents)
	}
	return n
}

func (sf *serveFleet) PublishDesired(ctx context.Context, cfg *config.Config, commit string) (map[string]uint64, error) {
	sf.mu.Lock()
	started, emb := sf.ctl != nil, sf.emb
	if emb != nil {
		sf.cfg = cfg
	}
	sf.mu.Unlock()
	if !started && !fleet.HasAgents(cfg) {
		return nil, nil
	}
	if emb != nil {
		sf.reload(cfg) // hosts, groups or clients may have changed
	}
	ctl, err := sf.controller(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return ctl.PublishDesired(ctx, cfg, commit)
}

func (sf *serveFleet) Run(ctx context.Context, h model.HostPlan, pol *config.Policy, ring, parallel int) apply.HostResult {
	ctl, err := sf.controller(ctx, nil)
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
	stop, stopped := sf.stop, sf.stopped
	sf.stop = nil
	sf.mu.Unlock()
	if stop != nil {
		close(stop)
		<-stopped
	}
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if sf.ctl != nil {
		sf.ctl.Close()
	}
	if sf.emb != nil {
		sf.emb.Shutdown()
	}
}
