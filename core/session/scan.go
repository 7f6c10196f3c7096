package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
)

// ScanOptions say which hosts to scan and where to put the snapshots.
type ScanOptions struct {
	// Hosts are glob patterns on host names; empty scans every host a policy
	// targets.
	Hosts []string
	// OutDir receives DIR/<host>/inventory.json; empty writes nothing.
	OutDir string
	// Parallel is how many hosts are scanned at once (default
	// DefaultScanParallel).
	Parallel int
	// Progress, if set, is told about each host as it finishes.
	Progress func(host string, err error)
	// Now returns the time recorded as scanned_at (default time.Now).
	Now func() time.Time
	// Annotate, if set, amends each snapshot before it is written (the
	// CVEs matched against the vulnerability feeds).
	Annotate func(*model.Snapshot)
	// SkipAgents leaves out hosts whose transport is "agent": their scans
	// arrive through the controller (core/fleet).
	SkipAgents bool
}

// DefaultScanParallel is how many hosts Scan scans at once unless told
// otherwise (tend scan --concurrency, tend serve --scan-concurrency).
const DefaultScanParallel = 8

// HostError is a scan failure of one host.
type HostError struct {
	Host string
	Err  error
}

func (e *HostError) Error() string { return fmt.Sprintf("%s: %v", e.Host, e.Err) }
func (e *HostError) Unwrap() error { return e.Err }

// Scan scans hosts with the providers of the policies that target them and
// returns the snapshots of the hosts that succeeded, plus one HostError per
// host that did not (joined). A failed host never stops the others.
func Scan(ctx context.Context, cfg *config.Config, ps *Providers, o ScanOptions) (map[string]*model.Snapshot, error) {
	if o.Parallel <= 0 {
		o.Parallel = DefaultScanParallel
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	targets := scanTargets(cfg, o.Hosts)
	if o.SkipAgents {
		targets = slices.DeleteFunc(targets, func(t scanTarget) bool {
			h := cfg.Hosts[t.host]
			return h != nil && h.Transport == config.TransportAgent
		})
	}
	out := make(map[string]*model.Snapshot, len(targets))
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	sem := make(chan struct{}, o.Parallel)
	for _, t := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			snap, err := scanHost(ctx, cfg, ps, t, o.Now)
			if err == nil && o.Annotate != nil {
				o.Annotate(snap)
			}
			if err == nil && o.OutDir != "" {
				err = inventory.Write(o.OutDir, snap)
			}
			mu.Lock()
			if err != nil {
				errs = append(errs, &HostError{Host: t.host, Err: err})
			} else {
				out[t.host] = snap
			}
			mu.Unlock()
			if o.Progress != nil {
				o.Progress(t.host, err)
			}
		}()
	}
	wg.Wait()
	sort.Slice(errs, func(i, j int) bool { return errs[i].(*HostError).Host < errs[j].(*HostError).Host })
	return out, errors.Join(errs...)
}

// scanTarget is one host and, per provider, the packages its policy pins.
type scanTarget struct {
	host      string
	providers map[string][]string
}

func scanTargets(cfg *config.Config, patterns []string) []scanTarget {
	byHost := map[string]map[string][]string{}
	for _, p := range cfg.Policies {
		var pins []string
		for _, pin := range p.Pin {
			pins = append(pins, pin.Package)
		}
		for _, h := range p.Hosts {
			if !selected(h, patterns) {
				continue
			}
			if byHost[h] == nil {
				byHost[h] = map[string][]string{}
			}
			byHost[h][p.Provider] = append(byHost[h][p.Provider], pins...)
		}
	}
	out := make([]scanTarget, 0, len(byHost))
	for h, provs := range byHost {
		out = append(out, scanTarget{host: h, providers: provs})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].host < out[j].host })
	return out
}

func selected(host string, patterns []string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if ok, _ := path.Match(p, host); ok {
			return true
		}
	}
	return false
}

func scanHost(ctx context.Context, cfg *config.Config, ps *Providers, t scanTarget, now func() time.Time) (*model.Snapshot, error) {
	runner, err := ps.hosts.runner(cfg.Hosts[t.host])
	if err != nil {
		return nil, err
	}
	snap := &model.Snapshot{FormatVersion: model.SnapshotFormatVersion, Host: t.host,
		Providers: map[string]*model.ProviderInventory{}}
	for _, name := range slices.Sorted(maps.Keys(t.providers)) {
		p, err := ps.Get(ctx, name)
		if err != nil {
			return nil, err
		}
		inv, warns, err := p.Scan(ctx, t.host, t.providers[name], runner)
		if err != nil {
			return nil, err
		}
		for _, w := range warns {
			ps.log.WithFields(map[string]any{"host": t.host, "provider": name}).Warn(strings.TrimSpace(w))
		}
		snap.Providers[name] = inv
	}
	snap.ScannedAt = now().UTC().Truncate(time.Second)
	return snap, nil
}

// FailedHosts lists the hosts named by a Scan error, sorted.
func FailedHosts(err error) []string {
	return slices.Sorted(maps.Keys(HostErrors(err)))
}

// HostErrors maps each host named by a Scan error to its failure.
func HostErrors(err error) map[string]error {
	out := map[string]error{}
	var visit func(error)
	visit = func(e error) {
		var he *HostError
		if errors.As(e, &he) && he == e {
			out[he.Host] = he.Err
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				visit(x)
			}
		}
	}
	if err != nil {
		visit(err)
	}
	return out
}
