package daemon

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/session"
)

// Scans follow their own schedule (Options.ScanInterval): a reconcile
// scans the hosts whose last scan is older than the interval, failed, or
// was made under another configuration commit, and plans the others from
// their last scan. Before anything is applied to a host, it is scanned
// again, so an apply is always planned from a scan of this reconcile.

// DefaultScanConcurrency is how many hosts are scanned at once unless
// Options.ScanConcurrency says otherwise.
const DefaultScanConcurrency = session.DefaultScanParallel

// scanCache is the last successful scan of each host, under one
// configuration commit.
type scanCache struct {
	commit string
	snaps  map[string]*model.Snapshot
}

// targets are the hosts some policy of cfg targets, sorted.
func targets(cfg *config.Config) []string {
	set := map[string]bool{}
	for _, p := range cfg.Policies {
		for _, h := range p.Hosts {
			set[h] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// dueScans returns the hosts of cfg (at commit) to scan at now, and the
// cached scans that serve for the others.
func (d *Daemon) dueScans(cfg *config.Config, commit string, now time.Time) (due []string, cached map[string]*model.Snapshot) {
	cached = map[string]*model.Snapshot{}
	c := d.scanCache
	for _, h := range targets(cfg) {
		s := c.snaps[h]
		if d.o.ScanInterval <= 0 || c.commit != commit || s == nil || now.Sub(s.ScannedAt) >= d.o.ScanInterval || s.ScannedAt.After(now) {
			due = append(due, h)
			continue
		}
		cached[h] = s
	}
	return due, cached
}

// rememberScans records fresh scans for later reconciles.
func (d *Daemon) rememberScans(commit string, fresh map[string]*model.Snapshot) {
	if d.scanCache.commit != commit {
		d.scanCache = scanCache{commit: commit, snaps: map[string]*model.Snapshot{}}
	}
	maps.Copy(d.scanCache.snaps, fresh)
}

// scanHosts scans hosts (all targeted hosts when nil), logs the failures
// and returns the snapshots and the failures by host.
func (d *Daemon) scanHosts(ctx context.Context, p *pass, hosts []string, msg string) (map[string]*model.Snapshot, map[string]error) {
	inv, err := session.Scan(ctx, p.good.cfg, p.ps, session.ScanOptions{Hosts: hosts, Now: d.o.Now, Parallel: d.o.ScanConcurrency, Annotate: p.annotate,
		SkipAgents: d.o.Fleet != nil})
	logScanErrors(d.log, err, msg)
	d.rememberScans(p.good.commit.String(), inv)
	for h := range inv {
		p.fresh[h] = true
	}
	return inv, session.HostErrors(err)
}

// staleWithActions are the hosts p.todo would change whose snapshot does
// not come from this reconcile's scans.
func staleWithActions(p *pass) []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range p.todo.Hosts {
		if len(h.Actions) > 0 && !p.fresh[h.Host] && !seen[h.Host] {
			seen[h.Host] = true
			out = append(out, h.Host)
		}
	}
	return out
}
