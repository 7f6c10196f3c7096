package daemon

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/model"
)

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
func (a *applies) add(r *apply.HostResult) {
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
// health check is a result of its own, and marks the successes; what a
// rollback did is in its message and in the rolled_back results.
func reported(r *apply.HostResult) []model.ActionResult {
	out := make([]model.ActionResult, 0, len(r.Results)+1)
	for _, x := range r.Results {
		if x.Status == model.StatusSucceeded && r.Health != nil {
			x.Message = strings.TrimSpace(x.Message + " (host unhealthy afterwards)")
		}
		out = append(out, x)
	}
	if r.Health != nil && len(r.Results) > 0 {
		msg := r.Health.Error()
		if r.Rollback != nil {
			msg += "; " + r.Rollback.Summary()
		}
		out = append(out, model.ActionResult{ActionID: r.Host + "/" + r.Provider + "/health_check",
			Status: model.StatusFailed, Message: msg})
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
