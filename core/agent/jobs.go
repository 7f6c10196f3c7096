package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/journal"
	"github.com/tend-sh/tend/core/lastapply"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/session"
)

const (
	jobFile     = "job.json"
	lastJobFile = "last-job.json"
)

// onJob takes a job from the command subject: one at a time, the others
// answered busy; the checks that need no configuration are made here.
func (a *Agent) onJob(m *nats.Msg) {
	var job agentwire.Job
	if err := json.Unmarshal(m.Data, &job); err != nil {
		a.log.WithError(err).Warn("ignored a command that is not a job")
		return
	}
	now := time.Now().UTC()
	refuse := func(outcome, reason string) {
		a.finish(job, agentwire.Result{Outcome: outcome, Reason: reason, StartedAt: now, FinishedAt: time.Now().UTC()}, false)
	}
	switch {
	case !majorOK(job.Version):
		refuse(agentwire.OutcomeRefused, fmt.Sprintf("wire version %q: this agent reads version %s", job.Version, agentwire.Version))
		return
	case job.Host != a.o.Host:
		refuse(agentwire.OutcomeRefused, fmt.Sprintf("the job is for host %q, this is %q", job.Host, a.o.Host))
		return
	case !job.NotAfter.IsZero() && now.After(job.NotAfter):
		refuse(agentwire.OutcomeRefused, fmt.Sprintf("expired: the job's not_after %s passed before the agent got it", job.NotAfter.UTC().Format(time.RFC3339)))
		return
	}
	var last finishedJob
	if ok, _ := a.st.readJSON(lastJobFile, &last); ok && last.Job.ID == job.ID {
		// A job sent again: its result again, never a second apply.
		a.finish(job, last.Result, false)
		return
	}
	a.mu.Lock()
	busy := a.busy
	if busy == job.ID {
		a.mu.Unlock()
		return // the same job again while it runs: its result will come
	}
	if busy == "" {
		a.busy = job.ID
	}
	a.mu.Unlock()
	if busy != "" {
		refuse(agentwire.OutcomeBusy, fmt.Sprintf("job %s is running on the host", busy))
		return
	}
	a.jobs <- job
}

// worker applies jobs one at a time, first the one an earlier process
// left unfinished.
func (a *Agent) worker(ctx context.Context, pending *runningJob) {
	if pending != nil {
		a.resume(ctx, *pending)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case job := <-a.jobs:
			a.run(ctx, job, time.Now().UTC(), false)
		}
	}
}

// pendingJob is the job an earlier process recorded and did not finish,
// marked as the one running; nil when none.
func (a *Agent) pendingJob() *runningJob {
	var run runningJob
	ok, err := a.st.readJSON(jobFile, &run)
	if err != nil {
		a.log.WithError(err).Error("the recorded job is unreadable; dropped")
		_ = a.st.remove(jobFile)
		return nil
	}
	if !ok {
		return nil
	}
	a.busy = run.Job.ID
	return &run
}

// resume finishes the job an earlier process recorded and did not finish.
func (a *Agent) resume(ctx context.Context, run runningJob) {
	var last finishedJob
	if ok, _ := a.st.readJSON(lastJobFile, &last); ok && last.Job.ID == run.Job.ID {
		a.finish(run.Job, last.Result, false) // finished; only the clean-up was lost
		return
	}
	a.log.WithField("job", run.Job.ID).Warn("resuming a job the agent's last process did not finish")
	a.run(ctx, run.Job, run.StartedAt, true)
}

// run applies one job and queues its result.
func (a *Agent) run(ctx context.Context, job agentwire.Job, started time.Time, resumed bool) {
	res := a.apply(ctx, job, started, resumed)
	res.StartedAt = started
	res.FinishedAt = time.Now().UTC()
	if ctx.Err() != nil && res.Outcome == agentwire.OutcomeApplied {
		// Stopped mid-apply: the job stays recorded and resumes at start.
		a.log.WithField("job", job.ID).Warn("stopped during the job; it resumes when the agent starts again")
		return
	}
	a.finish(job, res, resumed)
	a.signal(a.scanNow)
}

// apply checks the job against the desired state and applies its plan.
func (a *Agent) apply(ctx context.Context, job agentwire.Job, started time.Time, resumed bool) agentwire.Result {
	refused := func(format string, args ...any) agentwire.Result {
		return agentwire.Result{Outcome: agentwire.OutcomeRefused, Reason: fmt.Sprintf(format, args...)}
	}
	g := a.groupFor(job)
	if g == nil || g.ds.Revision < job.Revision || g.ds.ConfigCommit != job.ConfigCommit {
		a.refresh(ctx) // the controller knows a newer revision than we do
		g = a.groupFor(job)
	}
	switch {
	case g == nil:
		return refused("no desired state of this host's groups (%v) carries the job's revision %d", a.revisions(), job.Revision)
	case g.ds.ConfigCommit != job.ConfigCommit:
		return refused("config commit mismatch: the job was planned at %s, group %s's desired state (revision %d) is at %s", short(job.ConfigCommit), g.ds.Group, g.ds.Revision, short(g.ds.ConfigCommit))
	case g.cfg == nil:
		return refused("%v", g.err)
	}
	var plan model.Plan
	if err := json.Unmarshal(job.Plan, &plan); err != nil {
		return refused("the job's plan does not decode: %v", err)
	}
	for _, h := range plan.Hosts {
		if h.Host != a.o.Host {
			return refused("the job's plan holds host %q", h.Host)
		}
	}
	if !resumed {
		if why := a.held(g, &plan, started); why != "" {
			return refused("held: %s", why)
		}
	}
	if err := a.st.writeJSON(jobFile, runningJob{Job: job, StartedAt: started}); err != nil {
		return refused("the job could not be recorded before acting: %v", err)
	}
	a.mu.Lock()
	a.inUse = g
	a.mu.Unlock()
	defer a.release()
	ps, err := a.providers(g)
	if err != nil {
		return a.failed(err)
	}
	applied, skipped := &plan, []apply.HostResult(nil)
	if resumed {
		// What the interrupted run did is on the host: the actions done
		// are skipped, the rest applied.
		live, err := session.Scan(ctx, g.cfg, ps, session.ScanOptions{Hosts: []string{a.o.Host}})
		if err != nil {
			a.log.WithError(err).Warn("re-scan before resuming the job")
		}
		applied, skipped = apply.Recheck(&plan, live)
	}
	hook := &journalHook{j: a.jnl, commit: job.ConfigCommit, run: job.ID}
	rep := apply.Apply(ctx, g.cfg, ps, applied, apply.Options{Journal: hook, Progress: func(e apply.Event) {
		if e.Done == nil {
			a.log.WithFields(map[string]any{"job": job.ID, "provider": e.Provider}).Debug(e.Message)
		}
	}})
	apply.Merge(rep, skipped, time.Now())
	if resumed {
		a.resolvePending(rep)
	}
	return a.report(job, &plan, rep)
}

// held says why the job may not start now by the agent's own reading of
// the configuration (windows, freezes, suspensions), "" when it may.
func (a *Agent) held(g *group, plan *model.Plan, now time.Time) string {
	for _, h := range plan.Hosts {
		p := g.cfg.Policies[h.Policy]
		if p == nil || len(h.Actions) == 0 {
			continue
		}
		why := g.cfg.Holds(p, a.o.Host, now)
		if apply.AllFastLane(h) {
			why = g.cfg.HoldsBesidesWindows(p, a.o.Host, now)
		}
		if why != "" {
			return why
		}
	}
	return ""
}

func (a *Agent) failed(err error) agentwire.Result {
	return agentwire.Result{Outcome: agentwire.OutcomeApplied, Failed: true, Reason: err.Error()}
}

// release marks the job's group free and closes the groups replaced
// meanwhile.
func (a *Agent) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inUse = nil
	for _, g := range a.retired {
		g.close()
	}
	a.retired = nil
}

// groupFor is the group whose desired state the job was planned from: at
// the job's config commit, declaring its policy, newest revision first.
func (a *Agent) groupFor(job agentwire.Job) *group {
	a.mu.Lock()
	defer a.mu.Unlock()
	var best *group
	for _, name := range a.o.Groups {
		g := a.groups[name]
		if g == nil {
			continue
		}
		if g.ds.ConfigCommit != job.ConfigCommit && best != nil {
			continue
		}
		if g.cfg != nil && g.cfg.Policies[job.Policy] == nil {
			continue
		}
		if best == nil || (best.ds.ConfigCommit != job.ConfigCommit && g.ds.ConfigCommit == job.ConfigCommit) || g.ds.Revision > best.ds.Revision {
			best = g
		}
	}
	return best
}

// report turns apply's report into the job's result.
func (a *Agent) report(job agentwire.Job, plan *model.Plan, rep *apply.Report) agentwire.Result {
	actions := map[string]model.Action{}
	for _, h := range plan.Hosts {
		for _, x := range h.Actions {
			actions[x.ID] = x
		}
	}
	res := agentwire.Result{Outcome: agentwire.OutcomeApplied}
	var applies []model.HostApply
	for i := range rep.Hosts {
		r := &rep.Hosts[i]
		if r.Failed() {
			res.Failed = true
		}
		ha := model.HostApply{Host: r.Host, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Results: []model.AppliedAction{}}
		for _, x := range lastapply.Reported(r) {
			act := actions[x.ActionID]
			ha.Results = append(ha.Results, model.AppliedAction{ActionID: x.ActionID, Provider: r.Provider, Package: act.Package,
				Type: act.Type, From: act.From, To: act.To, Policy: r.Policy, Status: x.Status, Message: x.Message})
		}
		applies = append(applies, ha)
		if r.Err != nil && res.Reason == "" {
			res.Reason = r.Err.Error()
		}
	}
	if data, err := json.Marshal(applies); err == nil {
		res.HostResults = data
	}
	return res
}

// finish records the job's result as the last job, queues it and clears
// the running job.
func (a *Agent) finish(job agentwire.Job, res agentwire.Result, resumed bool) {
	res.Version, res.JobID, res.Host = agentwire.Version, job.ID, a.o.Host
	res.Resumed = res.Resumed || resumed
	if res.StartedAt.IsZero() {
		res.StartedAt = time.Now().UTC()
	}
	if res.FinishedAt.IsZero() {
		res.FinishedAt = time.Now().UTC()
	}
	f := a.log.WithFields(map[string]any{"job": job.ID, "outcome": res.Outcome, "failed": res.Failed, "resumed": res.Resumed})
	if res.Reason != "" {
		f = f.WithField("reason", res.Reason)
	}
	f.Info("job result")
	ran := res.Outcome == agentwire.OutcomeApplied
	if ran {
		if err := a.st.writeJSON(lastJobFile, finishedJob{Job: job, Result: res}); err != nil {
			a.log.WithError(err).Error("could not record the finished job")
		}
	}
	if err := a.queue("result-"+job.ID, agentwire.ResultsSubject(a.o.Host), "result-"+job.ID, res); err != nil {
		a.log.WithError(err).Error("could not queue the job's result")
		return
	}
	a.mu.Lock()
	mine := a.busy == job.ID
	if mine {
		a.busy = ""
	}
	a.mu.Unlock()
	if mine {
		if err := a.st.remove(jobFile); err != nil {
			a.log.WithError(err).Error("could not clear the finished job")
		}
		if err := a.jnl.Compact(); err != nil {
			a.log.WithError(err).Warn("could not compact the apply journal")
		}
	}
}

// resolvePending records, for the journal's intents an earlier process
// left open, the results the resumed apply reached.
func (a *Agent) resolvePending(rep *apply.Report) {
	status := map[string]model.ActionResult{}
	for i := range rep.Hosts {
		for _, r := range lastapply.Reported(&rep.Hosts[i]) {
			status[r.ActionID] = r
		}
	}
	for _, in := range a.jnl.Pending() {
		var out []model.ActionResult
		for _, x := range in.Actions {
			r, ok := status[x.ID]
			if !ok {
				r = model.ActionResult{ActionID: x.ID, Status: model.StatusInterrupted, Message: "the agent stopped during this apply"}
			}
			out = append(out, r)
		}
		if err := a.jnl.Resolve(in.Seq, out); err != nil {
			a.log.WithError(err).Error("could not record the resumed apply in the journal")
		}
	}
}

// journalHook adapts the apply journal to apply.Journal.
type journalHook struct {
	j           *journal.Journal
	commit, run string
}

func (h *journalHook) Begin(hp model.HostPlan) (uint64, error) {
	return h.j.Begin(journal.Intent{Host: hp.Host, Provider: hp.Provider, Policy: hp.Policy, ConfigCommit: h.commit, Run: h.run,
		Actions: model.ProviderActions(hp.Actions)})
}

func (h *journalHook) Finish(seq uint64, r *apply.HostResult) error {
	return h.j.Finish(seq, lastapply.Reported(r))
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
