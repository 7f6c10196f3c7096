package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
	"github.com/tend-sh/tend/core/session"
	"github.com/tend-sh/tend/plugins/loader"
)

// resolveParallel is how many hosts' transactions are resolved at once.
const resolveParallel = 8

// Resolve asks each host plan's provider, read-only, for the transaction
// its package actions really are, records every resolution in the host's
// snapshot of inv (and, with outDir, in outDir/<host>/inventory.json) so
// offline plans can check against it, and returns what the planner checks
// (planner.CheckTransactions). A provider that does not resolve, or a host
// whose resolution fails, is said so per host; it never stops the others.
func Resolve(ctx context.Context, ps *session.Providers, pl *model.Plan, inv map[string]*model.Snapshot, outDir string, log logrus.FieldLogger) map[planner.HostKey]planner.Resolved {
	return ResolveParallel(ctx, ps, pl, inv, outDir, log, resolveParallel)
}

// ResolveParallel is Resolve with parallel hosts resolved at once (0 or
// less: Resolve's 8): tend serve resolves as many as it scans
// (--scan-concurrency).
func ResolveParallel(ctx context.Context, ps *session.Providers, pl *model.Plan, inv map[string]*model.Snapshot, outDir string, log logrus.FieldLogger, parallel int) map[planner.HostKey]planner.Resolved {
	out := map[planner.HostKey]planner.Resolved{}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	if parallel <= 0 {
		parallel = resolveParallel
	}
	sem := make(chan struct{}, parallel)
	for i := range pl.Hosts {
		h := &pl.Hosts[i]
		actions := planner.ResolvableActions(h)
		if len(actions) == 0 || inv[h.Host] == nil || inv[h.Host].Providers[h.Provider] == nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r := resolveHost(ctx, ps, h, model.ProviderActions(actions), log)
			mu.Lock()
			out[planner.HostKey{Host: h.Host, Provider: h.Provider}] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	for k, r := range out {
		if r.Resolution != nil {
			inv[k.Host].Providers[k.Provider].Resolution = r.Resolution
		}
	}
	if outDir != "" {
		record(inv, out, outDir, log)
	}
	return out
}

// resolveHost resolves one host plan's actions.
func resolveHost(ctx context.Context, ps *session.Providers, h *model.HostPlan, actions []model.ProviderAction, log logrus.FieldLogger) planner.Resolved {
	changes, warns, err := ps.Resolve(ctx, h.Host, h.Provider, actions)
	fields := logrus.Fields{"host": h.Host, "provider": h.Provider}
	for _, w := range warns {
		log.WithFields(fields).Warn(strings.TrimSpace(w))
	}
	switch {
	case errors.Is(err, loader.ErrResolveUnsupported):
		return planner.Resolved{Source: model.ResolvedLive, Unsupported: true}
	case err != nil:
		log.WithFields(fields).Warnf("resolving the transaction failed; the host is blocked: %v", err)
		return planner.Resolved{Source: model.ResolvedLive, Failure: err.Error()}
	}
	if changes == nil {
		changes = []model.Change{}
	}
	return planner.Resolved{Source: model.ResolvedLive, Resolution: &model.Resolution{
		ResolvedAt: time.Now().UTC().Truncate(time.Second), Actions: actions, Changes: changes}}
}

// record writes the snapshots of the hosts that were resolved.
func record(inv map[string]*model.Snapshot, res map[planner.HostKey]planner.Resolved, outDir string, log logrus.FieldLogger) {
	written := map[string]bool{}
	for k, r := range res {
		if r.Resolution == nil || written[k.Host] {
			continue
		}
		written[k.Host] = true
		if err := inventory.Write(outDir, inv[k.Host]); err != nil {
			log.WithField("host", k.Host).Warnf("the transaction's resolution could not be recorded: %v", err)
		}
	}
}

// RecordResolutions plans cfg as of now from the snapshots tend scan just
// wrote to outDir, resolves each host's actions and records the
// resolutions in those snapshots, so offline plans (snapshot directories,
// the reports branch) can check dependencies against them.
func RecordResolutions(ctx context.Context, cfg *config.Config, ps *session.Providers, inv map[string]*model.Snapshot, outDir string, now time.Time, log logrus.FieldLogger) {
	var facts map[string]model.Vuln
	if db, _ := Vulns(cfg); db != nil {
		facts = db.AllFacts() // approvals by CVE decide the actions too
	}
	pl, _ := planner.Plan(planner.Input{Config: cfg, Inventory: inv, Now: now, Vulns: facts})
	Resolve(ctx, ps, pl, inv, outDir, log)
}
