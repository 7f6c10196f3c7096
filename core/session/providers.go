package session

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/lockfile"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Providers launches the provider plugins one command needs, once each,
// checked against the lock file and configured from their provider blocks,
// and keeps the connections to the hosts they work on.
type Providers struct {
	cfg   *config.Config
	dirs  []string
	locks map[string]lockfile.Lock
	log   *logrus.Logger
	hosts transports

	mu      sync.Mutex
	running map[string]*loader.Provider
	failed  map[string]error
}

// OpenProviders reads the lock file; providers start on first use.
func OpenProviders(cfg *config.Config, log *logrus.Logger) (*Providers, error) {
	locks, err := lockfile.Read(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = logrus.New()
		log.SetOutput(io.Discard)
	}
	return &Providers{cfg: cfg, dirs: loader.SearchDirs(cfg.Dir), locks: locks, log: log,
		running: map[string]*loader.Provider{}, failed: map[string]error{}}, nil
}

// Get returns the running, configured provider, starting it if needed.
func (ps *Providers) Get(ctx context.Context, name string) (*loader.Provider, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if p, ok := ps.running[name]; ok && !p.Exited() {
		return p, nil
	}
	if err, ok := ps.failed[name]; ok {
		return nil, err
	}
	p, err := ps.start(ctx, name)
	if err != nil {
		ps.failed[name] = err
		return nil, err
	}
	ps.running[name] = p
	return p, nil
}

func (ps *Providers) start(ctx context.Context, name string) (*loader.Provider, error) {
	lock, err := lockfile.Entry(ps.locks, name)
	if err != nil {
		return nil, err
	}
	path, err := loader.Find(name, ps.dirs)
	if err != nil {
		return nil, err
	}
	p, err := loader.Launch(loader.Options{Name: name, Path: path, Checksum: lock.Hash, Logger: ps.log})
	if err != nil {
		return nil, err
	}
	cfg, err := providerConfig(ps.cfg, name)
	if err == nil {
		err = p.Configure(ctx, cfg)
	}
	if err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// Close stops every provider started and closes host connections.
func (ps *Providers) Close() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, p := range ps.running {
		p.Close()
	}
	ps.running = map[string]*loader.Provider{}
	ps.hosts.close()
}

// providerConfig turns a provider block into the JSON object the plugin
// receives.
func providerConfig(cfg *config.Config, name string) (map[string]any, error) {
	out := map[string]any{}
	block, ok := cfg.Providers[name]
	if !ok {
		return out, nil
	}
	for attr, v := range block.Attributes {
		data, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			return nil, fmt.Errorf("provider %q: %s: %w", name, attr, err)
		}
		var decoded any
		if err := json.Unmarshal(data, &decoded); err != nil {
			return nil, err
		}
		out[attr] = decoded
	}
	return out, nil
}
