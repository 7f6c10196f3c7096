package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/internal/atomicfile"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/hashicorp/hcl/v2"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/rollout"
)

// Reconcile steps, as named in StepError and logs.
const (
	StepFetch   = "fetch"
	StepLoad    = "load"
	StepHistory = "history"
	StepScan    = "scan"
	StepApply   = "apply"
	StepReport  = "report"
)

// StepError is a reconcile that could not finish a step.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// ErrNoConfig means no configuration commit has ever loaded, so there is
// nothing to apply.
var ErrNoConfig = errors.New("no configuration has loaded yet")

// Outcome is what one reconcile did.
type Outcome struct {
	// Head is the watched branch's commit; Applied the configuration's
	// commit that governed (they differ when the head was rejected).
	Head, Applied string
	// State is the head configuration's state (StateOK, …).
	State string
	// Plan is the plan applied; After the plan after the apply's re-scan.
	Plan, After *model.Plan
	// Apply is nil when nothing was due.
	Apply *engine.ApplyReport
	// Recovered lists hosts whose interrupted apply the journal resolved.
	Recovered []string
	Summary   *model.FleetSummary
	// ReportsCommit is the reports branch head; Committed is false when
	// the reports were unchanged.
	ReportsCommit plumbing.Hash
	Committed     bool
}

// Reconcile runs one reconcile. want, if not zero, is a commit a webhook
// announced: the fetch waits until it is visible (a webhook can arrive
// before the push is fetchable).
func (d *Daemon) Reconcile(ctx context.Context, want plumbing.Hash) (*Outcome, error) {
	d.run.Lock()
	defer d.run.Unlock()
	start := d.o.Now()
	out, err := d.reconcile(ctx, want)
	result := metrics.ReconcileOK
	switch {
	case err != nil:
		result = metrics.ReconcileError
	case out.State == StateInvalid:
		result = metrics.ReconcileConfigError
	case out.State == StateUnverified:
		result = metrics.ReconcileUnverified
	}
	took := d.o.Now().Sub(start)
	d.mu.Lock()
	d.status.Reconciled = true
	d.status.At = d.o.Now()
	d.status.LastError = ""
	if err != nil {
		d.status.LastError = err.Error()
	}
	d.mu.Unlock()
	if m := d.o.Metrics; m != nil {
		m.ObserveReconcile(result, took, d.o.Now())
		s := d.Status()
		m.ConfigValid.Set(b2f(s.State == StateOK))
		if out != nil && out.Summary != nil {
			m.Hosts.WithLabelValues(model.HostCompliant).Set(float64(out.Summary.Compliant))
			m.Hosts.WithLabelValues(model.HostNonCompliant).Set(float64(out.Summary.NonCompliant))
			m.Hosts.WithLabelValues(model.HostUnknown).Set(float64(out.Summary.Unknown))
			m.HaltedRollouts.Set(float64(len(out.Summary.HaltedRollouts)))
		}
		if out != nil && out.Apply != nil {
			for _, h := range out.Apply.Hosts {
				for _, r := range h.Results {
					m.Actions.WithLabelValues(string(r.Status)).Inc()
				}
			}
		}
	}
	fields := logrus.Fields{"result": result, "took": took.Round(time.Millisecond).String()}
	if out != nil {
		fields["head"], fields["applied"] = short(out.Head), short(out.Applied)
		if out.Summary != nil {
			fields["compliant"], fields["hosts"] = out.Summary.Compliant, out.Summary.Hosts
		}
		fields["committed"] = out.Committed
	}
	if err == nil {
		d.log.WithFields(fields).Info("reconciled")
	}
	if d.o.OnReconciled != nil {
		d.o.OnReconciled(out, err)
	}
	return out, err
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (d *Daemon) setStatus(f func(*Status)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(&d.status)
}

func (d *Daemon) reconcile(ctx context.Context, want plumbing.Hash) (*Outcome, error) {
	out := &Outcome{}
	head, fetchErr := d.fetch(ctx, want)
	if fetchErr != nil && !head.IsZero() {
		d.log.WithError(fetchErr).WithField("commit", short(head.String())).Warn("fetch failed; working from the last fetched commit")
	}
	out.Head = head.String()
	if head.IsZero() {
		out.Head = ""
	}

	// Load the head's configuration; a rejected one leaves the last good
	// configuration in force.
	state, problem, diags := StateOK, "", []string(nil)
	if fetchErr != nil {
		state, problem = StateFetchFailed, fetchErr.Error()
	}
	if !head.IsZero() {
		if l, st, prob, dg := d.load(head); l != nil {
			d.setGood(l)
		} else if st != StateOK {
			state, problem, diags = st, prob, dg
			d.log.WithFields(logrus.Fields{"commit": short(out.Head), "state": st}).Error(prob + strings.Join(prefixAll("\n  ", dg), ""))
		}
	}
	good := d.lastGood()
	if good != nil {
		out.Applied = good.commit.String()
	}
	out.State = state
	d.setStatus(func(s *Status) {
		s.Head, s.Applied, s.State, s.Problem, s.Diagnostics = out.Head, out.Applied, state, problem, diags
	})
	if good == nil {
		err := &StepError{Step: StepLoad, Err: ErrNoConfig}
		if fetchErr != nil && head.IsZero() {
			return out, &StepError{Step: StepFetch, Err: fetchErr}
		}
		if state != StateOK {
			err.Err = fmt.Errorf("%w: %s", ErrNoConfig, problem)
			// Say so in the reports branch, where the team looks.
			if cerr := d.commitStatusOnly(ctx, out, d.o.ReportsBranch); cerr != nil {
				d.log.WithError(cerr).Error("could not commit the configuration status")
			}
		}
		return out, err
	}
	return out, d.work(ctx, good, out)
}

// fetch brings the watched branch up to date and returns its head; on
// failure it returns the last fetched head (possibly zero).
func (d *Daemon) fetch(ctx context.Context, want plumbing.Hash) (plumbing.Hash, error) {
	src := d.src
	if !want.IsZero() {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := src.WaitFor(wctx, want)
		cancel()
		if err != nil {
			d.log.WithError(err).WithField("commit", short(want.String())).Warn("the pushed commit did not become visible")
		}
	}
	head, err := src.Fetch(ctx)
	if err != nil {
		last, herr := src.Head()
		if herr != nil {
			return plumbing.ZeroHash, err
		}
		return last, err
	}
	return head, nil
}

// load verifies and loads a commit's configuration. It returns the loaded
// configuration, or the state, problem and diagnostics that rejected it.
func (d *Daemon) load(h plumbing.Hash) (*loaded, string, string, []string) {
	if g := d.lastGood(); g != nil && g.commit == h {
		return g, StateOK, "", nil
	}
	if d.o.Verifier != nil {
		c, err := d.src.Commit(h)
		if err != nil {
			return nil, StateUnverified, err.Error(), nil
		}
		signer, err := d.o.Verifier.Verify(c)
		if err != nil {
			return nil, StateUnverified, "signature not trusted, not applied: " + err.Error(), nil
		}
		d.log.WithFields(logrus.Fields{"commit": short(h.String()), "signer": signer.Identity, "key": signer.Fingerprint}).Info("commit signature verified")
	}
	if problem := d.checkDescends(h); problem != "" {
		return nil, StateInvalid, problem, nil
	}
	root := filepath.Join(d.o.StateDir, "config")
	dir, err := d.src.Export(h, root)
	if err != nil {
		return nil, StateInvalid, err.Error(), nil
	}
	cfg, diags, err := engine.Load(dir)
	if err != nil {
		var lines []string
		for _, dg := range diags {
			if dg.Severity != hcl.DiagError {
				continue
			}
			lines = append(lines, diagLine(dir, dg.Subject, dg.Summary, dg.Detail))
		}
		n := len(lines)
		return nil, StateInvalid, fmt.Sprintf("configuration has %d %s, not applied", n, words.Plural(n, "error", "errors")), lines
	}
	if err := engine.CheckLock(cfg); err != nil {
		return nil, StateInvalid, err.Error() + "; not applied", nil
	}
	return &loaded{commit: h, dir: dir, cfg: cfg}, StateOK, "", nil
}

// checkDescends refuses a head that does not descend from the
// configuration in force: moving the branch back to an older commit (one
// from before a reject, with a downgrade pin) or rewriting it is no new
// configuration, even when its signature is trusted. Only the operator's
// AllowRewind for that commit lets it through, once. It returns the
// problem, "" when h may be applied.
func (d *Daemon) checkDescends(h plumbing.Hash) string {
	g := d.lastGood()
	if g == nil {
		return ""
	}
	ok, err := d.src.Descends(h, g.commit)
	if err == nil && ok {
		return ""
	}
	fields := logrus.Fields{"commit": h.String(), "in_force": g.commit.String()}
	if d.allowRewind != "" && strings.HasPrefix(h.String(), d.allowRewind) {
		d.allowRewind = ""
		d.log.WithFields(fields).Warn("the commit does not descend from the configuration in force; applying it anyway, as --allow-rewind allows")
		return ""
	}
	hint := fmt.Sprintf("not applied (to apply it anyway, restart with --allow-rewind %s)", h)
	if err != nil {
		d.log.WithFields(fields).WithError(err).Error("cannot check that the commit descends from the configuration in force; it is refused")
		return fmt.Sprintf("cannot tell whether commit %s descends from %s, the configuration in force: %v; %s", short(h.String()), short(g.commit.String()), err, hint)
	}
	d.log.WithFields(fields).Error("the branch was rewound or rewritten; the commit is refused")
	return fmt.Sprintf("commit %s does not descend from %s, the configuration in force: the branch was rewound or rewritten; %s",
		short(h.String()), short(g.commit.String()), hint)
}

func prefixAll(p string, s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = p + x
	}
	return out
}

// lastGood returns the configuration in force: the last one loaded by this
// process or, after a restart, the commit recorded in the state dir.
func (d *Daemon) lastGood() *loaded {
	d.mu.Lock()
	g := d.good
	d.mu.Unlock()
	if g != nil {
		return g
	}
	b, err := os.ReadFile(filepath.Join(d.o.StateDir, "good-commit"))
	if err != nil {
		return nil
	}
	h := plumbing.NewHash(strings.TrimSpace(string(b)))
	if h.IsZero() {
		return nil
	}
	dir, err := d.src.Export(h, filepath.Join(d.o.StateDir, "config"))
	if err != nil {
		d.log.WithError(err).Warn("the last good configuration recorded in the state dir cannot be read")
		return nil
	}
	cfg, _, err := engine.Load(dir)
	if err != nil {
		return nil
	}
	g = &loaded{commit: h, dir: dir, cfg: cfg}
	d.mu.Lock()
	d.good = g
	d.mu.Unlock()
	return g
}

// setGood makes l the configuration in force and records it in the state
// dir, so a restart with a broken head still has it.
func (d *Daemon) setGood(l *loaded) {
	d.mu.Lock()
	prev := d.good
	d.good = l
	d.mu.Unlock()
	if prev != nil && prev.commit == l.commit {
		return
	}
	if err := atomicfile.Write(filepath.Join(d.o.StateDir, "good-commit"), []byte(l.commit.String()+"\n")); err != nil {
		d.log.WithError(err).Warn("could not record the good configuration commit")
	}
	if err := d.src.Prune(filepath.Join(d.o.StateDir, "config"), l.commit); err != nil {
		d.log.WithError(err).Debug("pruning old configuration exports")
	}
	d.log.WithField("commit", short(l.commit.String())).Info("configuration in force")
}

// work is the part of a reconcile that runs under a good configuration.
func (d *Daemon) work(ctx context.Context, good *loaded, out *Outcome) error {
	cfg := good.cfg
	commit := good.commit.String()
	branch := cmp.Or(d.o.ReportsBranch, cfg.ReportsBranch())
	now := d.o.Now()

	tree, err := d.history(ctx, branch)
	if err != nil {
		return &StepError{Step: StepHistory, Err: err}
	}
	prev, err := d.previousState(tree)
	if err != nil {
		return &StepError{Step: StepHistory, Err: err}
	}

	ps, err := engine.OpenProviders(cfg, d.log)
	if err != nil {
		return &StepError{Step: StepScan, Err: err}
	}
	defer ps.Close()
	inv, scanErr := engine.Scan(ctx, cfg, ps, engine.ScanOptions{Now: d.o.Now})
	logScanErrors(d.log, scanErr, "scan failed")
	if ctx.Err() != nil {
		return &StepError{Step: StepScan, Err: ctx.Err()}
	}

	// Applies whose reports are not on the remote yet (this process's or
	// an earlier one's: the journal keeps them until they are) are newer
	// than the branch's.
	out.Recovered = d.recover(inv)
	lastApply := newApplies(prev.LastApply)
	d.unreported(lastApply)

	hist := rollout.History(prev.Rollouts)
	plan, warns := planner.Plan(planner.Input{Config: cfg, Inventory: inv, Now: now, History: hist,
		ConfigCommit: commit, InventorySource: "live"})
	for _, w := range warns {
		d.log.WithField("warning", w.Message).Warn("plan warning")
	}
	out.Plan, out.After = plan, plan

	// Halted rollouts wait for a new commit; hosts whose apply a crash
	// interrupted are reported first and applied again from the next
	// reconcile, on a fresh plan.
	todo := withoutHosts(withoutHalted(plan, prev.Rollouts, commit), out.Recovered)
	if hasActions(todo) && !d.draining() {
		if d.o.OnApplyStart != nil {
			d.o.OnApplyStart(commit)
		}
		hook := &journalHook{j: d.journal, commit: commit, run: now.UTC().Format(time.RFC3339Nano)}
		rep := engine.Apply(ctx, cfg, ps, todo, engine.ApplyOptions{
			Now: now, Journal: hook, HTTPClient: d.o.HTTPClient,
			RebootTimeout: d.o.RebootTimeout, Stop: d.drain,
			Progress: func(e engine.Event) {
				if e.Done != nil {
					logHost(d.log, e.Done)
				}
			},
		})
		out.Apply = rep
		if err := hook.recordRest(rep); err != nil {
			d.log.WithError(err).Error("could not journal the results of hosts the apply skipped")
		}
		touched := map[string]bool{}
		lastApply.newRun()
		for _, h := range rep.Hosts {
			touched[h.Host] = true
			lastApply.add(&h)
		}
		// Re-scan what changed, so the reports show the result.
		hosts := slices.Sorted(maps.Keys(touched))
		fresh, err := engine.Scan(context.WithoutCancel(ctx), cfg, ps, engine.ScanOptions{Hosts: hosts, Now: d.o.Now})
		logScanErrors(d.log, err, "re-scan after apply failed")
		for h, s := range fresh {
			inv[h] = s
		}
		out.After, _ = planner.Plan(planner.Input{Config: cfg, Inventory: inv, Now: d.o.Now(), History: hist,
			ConfigCommit: commit, InventorySource: "live"})
	}

	// When the report fails, the journal keeps this reconcile's results
	// for the next one.
	return d.report(context.WithoutCancel(ctx), good, branch, tree, prev, inv, lastApply.last, out)
}

// history fetches the reports branch and returns its newest copy: the
// remote's, or our own commit on top of it that could not be pushed. While
// the remote cannot be reached, the copy in the local clone serves, so the
// configuration in force keeps applying; the report step pushes once the
// remote is back.
func (d *Daemon) history(ctx context.Context, branch string) (*reportsbranch.Tree, error) {
	src := d.src
	if _, err := reportsbranch.Fetch(ctx, src.RepoPath(), src.Remote(), branch, reportsbranch.WithAuth(src.Auth())); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		d.log.WithError(err).WithField("branch", branch).Warn("could not fetch the reports branch; planning from the local copy")
	}
	return reportsbranch.Local(src.RepoPath(), src.Remote(), branch)
}

// unreported folds in the results the journal holds (finished since its
// last compaction, that is not known to be on the remote), run by run.
func (d *Daemon) unreported(lastApply *applies) {
	run := ""
	for i, f := range d.journal.Finished() {
		if i == 0 || f.Intent.Run != run || run == "" {
			lastApply.newRun()
			run = f.Intent.Run
		}
		lastApply.addResults(f.Intent.Host, f.Intent.StartedAt.UTC(), f.At.UTC(), f.Results)
	}
}

// logScanErrors logs each host a Scan error names, in host order.
func logScanErrors(log *logrus.Logger, err error, msg string) {
	errs := engine.HostErrors(err)
	for _, h := range slices.Sorted(maps.Keys(errs)) {
		log.WithField("host", h).WithError(errs[h]).Warn(msg)
	}
}

func logHost(log *logrus.Logger, r *engine.HostResult) {
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
	case r.Health != nil:
		f.WithError(r.Health).Error("host unhealthy after apply")
	case r.Failed():
		f.Error("host applied with failures")
	default:
		f.Info("host applied")
	}
}

func hasActions(p *model.Plan) bool {
	for _, h := range p.Hosts {
		if len(h.Actions) > 0 {
			return true
		}
	}
	return false
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

// applies holds each host's last apply as the reports will show it: the
// reports branch's, replaced by what later runs did.
type applies struct {
	last map[string]*model.LastApply
	// touched are the hosts the current run (see newRun) reported.
	touched map[string]bool
}

func newApplies(prev map[string]*model.LastApply) *applies {
	a := &applies{last: map[string]*model.LastApply{}, touched: map[string]bool{}}
	maps.Copy(a.last, prev)
	return a
}

// newRun starts the results of another (later) run: its first result for
// a host replaces that host's last apply.
func (a *applies) newRun() { a.touched = map[string]bool{} }

// add folds a host result of the current run in.
func (a *applies) add(r *engine.HostResult) {
	a.addResults(r.Host, r.StartedAt, r.FinishedAt, reported(r))
}

// addResults folds in results of the current run: the first for a host
// replaces its earlier last apply, later ones (other providers) join it.
func (a *applies) addResults(host string, started, finished time.Time, rs []model.ActionResult) {
	la := a.last[host]
	if !a.touched[host] || la == nil {
		la = &model.LastApply{StartedAt: started, FinishedAt: finished, Results: []model.ActionResult{}}
		a.last[host] = la
		a.touched[host] = true
	}
	if started.Before(la.StartedAt) {
		la.StartedAt = started
	}
	if finished.After(la.FinishedAt) {
		la.FinishedAt = finished
	}
	for _, r := range rs {
		la.Results = upsert(la.Results, r)
	}
}

// reported is a host's results as its last_apply shows them: a failed
// health check is a result of its own, and marks the successes.
func reported(r *engine.HostResult) []model.ActionResult {
	out := make([]model.ActionResult, 0, len(r.Results)+1)
	for _, x := range r.Results {
		if x.Status == model.StatusSucceeded && r.Health != nil {
			x.Message = strings.TrimSpace(x.Message + " (host unhealthy afterwards)")
		}
		out = append(out, x)
	}
	if r.Health != nil && len(r.Results) > 0 {
		out = append(out, model.ActionResult{ActionID: r.Host + "/" + r.Provider + "/health_check",
			Status: model.StatusFailed, Message: r.Health.Error()})
	}
	return out
}

func upsert(rs []model.ActionResult, r model.ActionResult) []model.ActionResult {
	for i := range rs {
		if rs[i].ActionID == r.ActionID {
			rs[i] = r
			return rs
		}
	}
	rs = append(rs, r)
	slices.SortFunc(rs, func(a, b model.ActionResult) int { return strings.Compare(a.ActionID, b.ActionID) })
	return rs
}

// signature is the author and committer of report commits.
func signature(now time.Time) object.Signature {
	return object.Signature{Name: "tend", Email: "tend@localhost", When: now}
}
