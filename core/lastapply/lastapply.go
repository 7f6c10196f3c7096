package lastapply

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/model"
)

// Set holds each host's last apply as the reports will show it: the
// earlier ones, replaced by what later runs did.
type Set struct {
	// Hosts is each host's last apply, by host name.
	Hosts map[string]*model.LastApply
	// touched are the hosts the current run (see NewRun) reported.
	touched map[string]bool
}

// New starts a Set from the earlier last applies (nil: none); prev is not
// modified.
func New(prev map[string]*model.LastApply) *Set {
	s := &Set{Hosts: map[string]*model.LastApply{}, touched: map[string]bool{}}
	maps.Copy(s.Hosts, prev)
	return s
}

// NewRun starts the results of another (later) run: its first result for
// a host replaces that host's last apply.
func (s *Set) NewRun() { s.touched = map[string]bool{} }

// AddRun folds in the results of a later run: every host it reports
// gets them as its last apply.
func (s *Set) AddRun(rep *apply.Report) {
	s.NewRun()
	for i := range rep.Hosts {
		s.Add(&rep.Hosts[i])
	}
}

// Add folds a host result of the current run in.
func (s *Set) Add(r *apply.HostResult) {
	s.AddResults(r.Host, r.StartedAt, r.FinishedAt, Reported(r))
}

// AddResults folds in results of the current run: the first for a host
// replaces its earlier last apply, later ones (other providers) join it.
func (s *Set) AddResults(host string, started, finished time.Time, rs []model.ActionResult) {
	la := s.Hosts[host]
	if !s.touched[host] || la == nil {
		la = &model.LastApply{StartedAt: started, FinishedAt: finished, Results: []model.ActionResult{}}
		s.Hosts[host] = la
		s.touched[host] = true
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

// Reported is a host's results as its last_apply shows them: a failed
// health check is a result of its own, and marks the successes; so is a
// failed hook (ACTION_ID host/provider/hook_PHASE); what a
// rollback did is in its message and in the rolled_back results.
func Reported(r *apply.HostResult) []model.ActionResult {
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
	if r.Hook != nil {
		out = append(out, model.ActionResult{ActionID: r.Host + "/" + r.Provider + "/hook_" + r.Hook.Hook.Phase,
			Status: model.StatusFailed, Message: r.Hook.Error()})
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
