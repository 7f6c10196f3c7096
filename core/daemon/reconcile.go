package daemon

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/lastapply"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/reportsbranch/history"
	"github.com/tend-sh/tend/core/session"
)

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
	Apply *apply.Report
	// Recovered lists hosts whose interrupted apply the journal resolved.
	Recovered []string
	Summary   *model.FleetSummary
	// ReportsCommit is the reports branch head; Committed is false when
	// the reports were unchanged.
	ReportsCommit plumbing.Hash
	Committed     bool
	// ReportsHeld is set when the reports changed but wait for the report
	// interval (Options.ReportInterval); Daemon.ReportsDue says until when.
	ReportsHeld bool
}

// pass is one reconcile's state, filled in step by step.
type pass struct {
	out *Outcome
	// want is the commit a webhook announced, zero on a timer.
	want plumbing.Hash
	// head is the watched branch's head (the last fetched one when fetchErr
	// says the fetch failed), zero when none was ever fetched.
	head     plumbing.Hash
	fetchErr error
	// stall is why the head is not applied, nil while it may be.
	stall *StallError
	// good is the configuration that governs; branch its reports branch;
	// now the time its plans are made for.
	good   *loaded
	branch string
	now    time.Time
	// tree and prev are the reports branch and what earlier reconciles
	// recorded there.
	tree *reportsbranch.Tree
	prev *history.Recorded
	ps   *session.Providers
	inv  map[string]*model.Snapshot
	// fresh are the hosts scanned in this reconcile (the others are
	// planned from an earlier scan, see scans.go).
	fresh map[string]bool
	// annotate matches a snapshot against the feeds (nil without any).
	annotate func(*model.Snapshot)
	// vulns are the feeds' CVE facts the scan was matched with.
	vulns map[string]model.Vuln
	// scanErrs are the hosts the scan could not reach, with why.
	scanErrs map[string]error
	// lastApply is each host's last apply as the reports will show it;
	// reports are this reconcile's compliance reports, by host.
	lastApply *lastapply.Set
	reports   map[string]*model.Report
	// warns are the latest plan's warnings, for summary.json and
	// SUMMARY.md.
	warns []model.Warning
	hist  planner.History
	// todo is the plan's part that may be applied now; idle says why
	// nothing of it is, nil when something is.
	todo *model.Plan
	idle *WaitError
}

// step is one named step of a reconcile.
type step struct {
	name string
	run  func(context.Context, *pass) error
}

// steps are a reconcile's steps, in order: the head commit is fetched,
// verified and loaded, the configuration that governs is settled, then it
// is applied to the fleet and the result reported.
func (d *Daemon) steps() []step {
	return []step{
		{StepFetch, d.fetch},
		{StepVerify, d.verify},
		{StepLoad, d.load},
		{StepGovern, d.govern},
		{StepHistory, d.history},
		{StepScan, d.scan},
		{StepRecover, d.recoverApplies},
		{StepPlan, d.plan},
		{StepApply, d.apply},
		{StepRescan, d.rescan},
		{StepReport, d.report},
	}
}

// Reconcile runs one reconcile. want, if not zero, is a commit a webhook
// announced: the fetch waits until it is visible (a webhook can arrive
// before the push is fetchable).
func (d *Daemon) Reconcile(ctx context.Context, want plumbing.Hash) (*Outcome, error) {
	d.run.Lock()
	defer d.run.Unlock()
	start := d.o.Now()
	p := &pass{out: &Outcome{}, want: want}
	err := d.runSteps(ctx, p, d.steps())
	if err == nil {
		d.notify(p)
	}
	out := p.out
	result := reconcileResult(p.stall, err)
	took := d.o.Now().Sub(start)
	d.mu.Lock()
	d.status.Reconciled = true
	d.status.At = d.o.Now()
	d.status.LastError = ""
	if err != nil {
		d.status.LastError = err.Error()
	}
	d.mu.Unlock()
	d.observe(out, result, took)
	fields := logrus.Fields{"result": result, "took": took.Round(time.Millisecond).String()}
	fields["head"], fields["applied"] = commitid.Short(out.Head), commitid.Short(out.Applied)
	if out.Summary != nil {
		fields["compliant"], fields["hosts"] = out.Summary.Compliant, out.Summary.Hosts
	}
	fields["committed"] = out.Committed
	if out.ReportsHeld {
		fields["reports_held"] = true
	}
	if err == nil {
		d.log.WithFields(fields).Info("reconciled")
	}
	if d.o.OnReconciled != nil {
		d.o.OnReconciled(out, err)
	}
	return out, err
}

// runSteps runs steps in order over p, and says how they ended. A
// *StallError rejects the head and the steps go on (under the last good
// configuration); a *WaitError is logged and they go on; any other error
// stops them as a *StepError naming the step.
func (d *Daemon) runSteps(ctx context.Context, p *pass, steps []step) error {
	defer p.close()
	for _, s := range steps {
		start := d.o.Now()
		err := s.run(ctx, p)
		log := d.log.WithFields(logrus.Fields{"step": s.name, "took": d.o.Now().Sub(start).Round(time.Millisecond).String()})
		var stall *StallError
		var wait *WaitError
		switch {
		case err == nil:
			log.Debug("reconcile step done")
		case errors.As(err, &wait):
			log.WithField("reason", wait.Reason).Debug(wait.Error())
		case errors.As(err, &stall):
			p.stall = stall
			log.WithFields(logrus.Fields{"commit": commitid.Short(p.out.Head), "state": stall.Reason}).
				Error(stall.Error() + strings.Join(prefixAll("\n  ", stall.Diagnostics), ""))
		default:
			return &StepError{Step: s.name, Err: err}
		}
	}
	return nil
}

// close releases what the steps opened.
func (p *pass) close() {
	if p.ps != nil {
		p.ps.Close()
	}
}

// reconcileResult is the reconcile's result for the metrics: whether it
// finished, and if so whether a stalled head's configuration was skipped.
func reconcileResult(stall *StallError, err error) string {
	switch {
	case err != nil:
		return metrics.ReconcileError
	case stall == nil:
		return metrics.ReconcileOK
	case stall.Reason == StateUnverified:
		return metrics.ReconcileUnverified
	}
	return metrics.ReconcileConfigError
}

// observe updates the metrics after a reconcile.
func (d *Daemon) observe(out *Outcome, result string, took time.Duration) {
	m := d.o.Metrics
	if m == nil {
		return
	}
	m.ObserveReconcile(result, took, d.o.Now())
	s := d.Status()
	m.ConfigValid.Set(b2f(s.State == StateOK))
	if out.Summary != nil {
		m.Hosts.WithLabelValues(model.HostCompliant).Set(float64(out.Summary.Compliant))
		m.Hosts.WithLabelValues(model.HostNonCompliant).Set(float64(out.Summary.NonCompliant))
		m.Hosts.WithLabelValues(model.HostUnknown).Set(float64(out.Summary.Unknown))
		m.HaltedRollouts.Set(float64(len(out.Summary.HaltedRollouts)))
		observeAgents(m, out.Summary)
	}
	if out.Apply != nil {
		for _, h := range out.Apply.Hosts {
			for _, r := range h.Results {
				m.Actions.WithLabelValues(string(r.Status)).Inc()
			}
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func prefixAll(p string, s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = p + x
	}
	return out
}

// signature is the author and committer of report commits.
func signature(now time.Time) object.Signature {
	return object.Signature{Name: "tend", Email: "tend@localhost", When: now}
}
