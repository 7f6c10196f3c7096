package daemon

import (
	"cmp"
	"context"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/feeds"
	"github.com/tend-sh/tend/core/lastapply"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/reportsbranch/feedcopy"
	"github.com/tend-sh/tend/core/rollout"
	"github.com/tend-sh/tend/core/session"
	"github.com/tend-sh/tend/core/vuln"
)

// history reads what earlier reconciles recorded on the reports branch:
// the remote's copy, or our own commit on top of it that could not be
// pushed. While the remote cannot be reached, the copy in the local clone
// serves, so the configuration in force keeps applying; the report step
// pushes once the remote is back.
func (d *Daemon) history(ctx context.Context, p *pass) error {
	p.branch = cmp.Or(d.o.ReportsBranch, p.good.cfg.ReportsBranch())
	src := d.src
	if _, err := reportsbranch.Fetch(ctx, src.RepoPath(), src.Remote(), p.branch, reportsbranch.WithAuth(src.Auth())); err != nil {
		if ctx.Err() != nil {
			return &RetryError{Reason: "canceled", Err: err}
		}
		d.log.WithError(err).WithField("branch", p.branch).Warn("could not fetch the reports branch; planning from the local copy")
	}
	tree, err := reportsbranch.Local(src.RepoPath(), src.Remote(), p.branch)
	if err != nil {
		return &RetryError{Reason: "reports_branch_unreadable", Err: err}
	}
	prev, err := d.previousState(tree)
	if err == nil {
		prev, err = d.withPending(p.branch, prev)
	}
	if err != nil {
		return &RetryError{Reason: "reports_branch_unreadable", Err: err}
	}
	p.tree, p.prev = tree, prev
	return nil
}

// scan starts the configuration's providers and scans every host. A host
// that cannot be scanned is logged and reported unknown; the reconcile
// goes on with the others.
func (d *Daemon) scan(ctx context.Context, p *pass) error {
	ps, err := session.OpenProviders(p.good.cfg, d.log)
	if err != nil {
		return &RetryError{Reason: "providers_failed", Err: err}
	}
	p.ps = ps
	db := d.vulns(ctx, p)
	p.annotate = engine.Annotator(db)
	p.fresh = map[string]bool{}
	p.scanErrs = map[string]error{}
	commit := p.good.commit.String()
	due, inv := d.dueScans(p.good.cfg, commit, p.now)
	if p.annotate != nil {
		for _, s := range inv { // earlier scans, against today's feeds
			p.annotate(s)
		}
	}
	if d.o.ScanInterval <= 0 {
		due = nil // every host, as the configuration's policies target them
	}
	if len(due) > 0 || d.o.ScanInterval <= 0 {
		fresh, errs := d.scanHosts(ctx, p, due, "scan failed")
		maps.Copy(inv, fresh)
		maps.Copy(p.scanErrs, errs)
	}
	for h, s := range d.agentScans(ctx, p) {
		if p.annotate != nil {
			p.annotate(s)
		}
		inv[h], p.fresh[h] = s, true
	}
	if ctx.Err() != nil {
		return &RetryError{Reason: "canceled", Err: ctx.Err()}
	}
	if skipped := len(inv) - len(p.fresh); skipped > 0 {
		d.log.WithFields(logrus.Fields{"scanned": len(p.fresh), "from_earlier_scans": skipped}).Debug("hosts scanned within the scan interval are planned from their last scan")
	}
	p.inv = inv
	if db != nil {
		p.vulns = db.AllFacts()
	}
	return nil
}

// vulns fetches the url feeds whose refresh interval has passed into
// STATE/feeds (a failed or broken fetch keeps the last good copy, and is
// logged), then loads every feed; nil without feed blocks.
func (d *Daemon) vulns(ctx context.Context, p *pass) *vuln.DB {
	cfg := p.good.cfg
	if len(cfg.Feeds) == 0 {
		return nil
	}
	client := d.o.FeedClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Minute}
	}
	cache := &feeds.Cache{Dir: filepath.Join(d.o.StateDir, "feeds"), Client: client, Now: d.o.Now}
	for _, name := range slices.Sorted(maps.Keys(cfg.Feeds)) {
		f := cfg.Feeds[name]
		if !cache.Due(f, d.o.Now()) {
			continue
		}
		r := cache.Update(ctx, f)
		log := d.log.WithField("feed", name).WithField("outcome", r.Outcome)
		if r.Err != nil {
			log.WithError(r.Err).Warn("feed not updated; the last good copy stays")
			continue
		}
		log.Info("feed checked")
	}
	// A feed the cache lost (a new state directory) and cannot fetch now
	// is read from the copy this daemon committed to the reports branch.
	db, infos := engine.VulnsWith(cfg, cache, feedcopy.TreeCopies(p.tree, "reports branch "+p.branch))
	for _, in := range infos {
		switch {
		case in.Error != "":
			d.log.WithField("feed", in.Name).WithField("error", in.Error).Warn("feed unavailable; planning without it")
		case in.From != "":
			d.log.WithField("feed", in.Name).WithField("from", in.From).Warn("feed not in the cache; matching with the copy on the reports branch")
		}
	}
	return db
}

// recoverApplies resolves the applies a crash interrupted against the
// scan, and gathers each host's last apply: the reports branch's, replaced
// by those whose reports are not on the remote yet (this process's or an
// earlier one's: the journal keeps them until they are).
func (d *Daemon) recoverApplies(_ context.Context, p *pass) error {
	p.out.Recovered = d.recover(p.inv)
	p.lastApply = lastapply.New(p.prev.LastApply)
	d.unreported(p.lastApply)
	return nil
}

// plan plans from the scan and the rollout history, resolves each host's
// transaction with its provider (recorded in the snapshots the reports
// carry) and blocks those the policy does not allow, and sets aside what
// may not be applied now: halted rollouts wait for a new commit; hosts
// whose apply a crash interrupted are reported first and applied again
// from the next reconcile, on a fresh plan.
func (d *Daemon) plan(ctx context.Context, p *pass) error {
	d.planFrom(ctx, p)
	if d.o.ScanOnly {
		return nil
	}
	// Hosts planned from an earlier scan are scanned again before
	// anything is applied to them, and planned again.
	if stale := staleWithActions(p); len(stale) > 0 {
		fresh, errs := d.scanHosts(ctx, p, stale, "scan before apply failed")
		maps.Copy(p.inv, fresh)
		maps.Copy(p.scanErrs, errs)
		for _, h := range stale {
			if !p.fresh[h] {
				delete(p.inv, h) // not applied from an old scan
			}
		}
		d.planFrom(ctx, p)
	}
	return nil
}

// planFrom plans from p.inv; see plan.
func (d *Daemon) planFrom(ctx context.Context, p *pass) {
	commit := p.good.commit.String()
	p.hist = rollout.History(p.prev.Rollouts)
	plan, warns := planner.Plan(planner.Input{Config: p.good.cfg, Inventory: p.inv, Now: p.now, History: p.hist, Vulns: p.vulns,
		ConfigCommit: commit, InventorySource: "live"})
	planner.CheckTransactions(p.good.cfg, plan, engine.ResolveParallel(ctx, p.ps, plan, p.inv, "", d.log, d.o.ScanConcurrency))
	for _, w := range warns {
		d.log.WithField("warning", w.Message).Warn("plan warning")
	}
	p.out.Plan, p.out.After, p.warns = plan, plan, warns
	unhalted := withoutHalted(plan, p.prev.Rollouts, commit)
	p.todo = withoutHosts(unhalted, p.out.Recovered)
	p.idle = idle(plan, unhalted, p.todo)
}

// apply applies what is due, through the journal. With nothing due, or
// while draining, it waits.
func (d *Daemon) apply(ctx context.Context, p *pass) error {
	if d.o.ScanOnly {
		return &WaitError{Reason: "scan_only"}
	}
	if p.idle != nil {
		return p.idle
	}
	if d.draining() {
		return &WaitError{Reason: "draining"}
	}
	commit := p.good.commit.String()
	if d.o.OnApplyStart != nil {
		d.o.OnApplyStart(commit)
	}
	hook := &journalHook{j: d.journal, commit: commit, run: p.now.UTC().Format(time.RFC3339Nano)}
	rep := apply.Apply(ctx, p.good.cfg, p.ps, p.todo, apply.Options{
		Now: p.now, Journal: hook, HTTPClient: d.o.HTTPClient,
		RebootTimeout: d.o.RebootTimeout, Stop: d.drain, Agents: d.agents(),
		Progress: func(e apply.Event) {
			if e.Done != nil {
				logHost(d.log, e.Done)
			}
		},
	})
	p.out.Apply = rep
	if err := hook.recordRest(rep); err != nil {
		d.log.WithError(err).Error("could not journal the results of hosts the apply skipped")
	}
	p.lastApply.AddRun(rep)
	return nil
}

// rescan re-scans the hosts the apply touched and plans again, so the
// reports show the result. It does nothing when nothing was applied.
func (d *Daemon) rescan(ctx context.Context, p *pass) error {
	if p.out.Apply == nil {
		return nil
	}
	touched := map[string]bool{}
	for _, h := range p.out.Apply.Hosts {
		touched[h.Host] = true
	}
	hosts := slices.Sorted(maps.Keys(touched))
	fresh, _ := d.scanHosts(context.WithoutCancel(ctx), p, hosts, "re-scan after apply failed")
	maps.Copy(p.inv, fresh)
	p.out.After, p.warns = planner.Plan(planner.Input{Config: p.good.cfg, Inventory: p.inv, Now: d.o.Now(), History: p.hist, Vulns: p.vulns,
		ConfigCommit: p.good.commit.String(), InventorySource: "live"})
	return nil
}

// logScanErrors logs each host a Scan error names, in host order.
func logScanErrors(log *logrus.Logger, err error, msg string) {
	errs := session.HostErrors(err)
	for _, h := range slices.Sorted(maps.Keys(errs)) {
		log.WithField("host", h).WithError(errs[h]).Warn(msg)
	}
}

func logHost(log *logrus.Logger, r *apply.HostResult) {
	f := log.WithFields(logrus.Fields{"host": r.Host, "provider": r.Provider, "policy": r.Policy})
	counts := map[model.Status]int{}
	for _, a := range r.Results {
		counts[a.Status]++
	}
	f = f.WithFields(logrus.Fields{"succeeded": counts[model.StatusSucceeded], "failed": counts[model.StatusFailed],
		"interrupted": counts[model.StatusInterrupted], "skipped": counts[model.StatusSkipped]})
	switch {
	case r.Err != nil:
		f.WithError(r.Err).Error("host failed")
	case r.Health != nil && r.Rollback != nil:
		f.WithError(r.Health).WithField("rolled_back", r.Rollback.RolledBack()).Error("host unhealthy after apply: " + r.Rollback.Summary())
	case r.Health != nil:
		f.WithError(r.Health).Error("host unhealthy after apply")
	case r.Failed():
		f.Error("host applied with failures")
	default:
		f.Info("host applied")
	}
}

// idle says why nothing of the plan may be applied now, nil when todo
// (the plan without halted rollouts, unhalted, and without recovered
// hosts) has actions.
func idle(plan, unhalted, todo *model.Plan) *WaitError {
	reason := ""
	switch {
	case hasActions(todo):
		return nil
	case hasActions(unhalted):
		reason = "hosts_recovered"
	case hasActions(plan):
		reason = "rollout_halted"
	default:
		reason = "nothing_due"
	}
	return &WaitError{Reason: reason, Until: nextDue(todo)}
}

func hasActions(p *model.Plan) bool {
	for _, h := range p.Hosts {
		if len(h.Actions) > 0 {
			return true
		}
	}
	return false
}

// nextDue is the earliest time a deferred change of p becomes due, zero
// when none says.
func nextDue(p *model.Plan) time.Time {
	var next time.Time
	for _, h := range p.Hosts {
		for _, df := range h.Deferred {
			if df.Until != nil && (next.IsZero() || df.Until.Before(next)) {
				next = *df.Until
			}
		}
	}
	return next
}

// withoutHalted returns the plan with the actions of halted rollouts
// removed: they stay halted until a new configuration commit.
func withoutHalted(p *model.Plan, states map[string]*rollout.State, commit string) *model.Plan {
	cp := *p
	cp.Hosts = make([]model.HostPlan, len(p.Hosts))
	for i, h := range p.Hosts {
		if states[h.Policy].HaltedNow(commit) {
			h.Actions = nil
		}
		cp.Hosts[i] = h
	}
	return &cp
}

// withoutHosts returns the plan without the actions of the given hosts.
func withoutHosts(p *model.Plan, hosts []string) *model.Plan {
	if len(hosts) == 0 {
		return p
	}
	cp := *p
	cp.Hosts = make([]model.HostPlan, len(p.Hosts))
	for i, h := range p.Hosts {
		if slices.Contains(hosts, h.Host) {
			h.Actions = nil
		}
		cp.Hosts[i] = h
	}
	return &cp
}
