package daemon

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/journal"
	"github.com/tend-sh/tend/core/lastapply"
	"github.com/tend-sh/tend/core/model"
)

// journalHook adapts the apply journal to apply.Journal.
type journalHook struct {
	j      *journal.Journal
	commit string
	run    string // the reconcile's name in the journal

	mu   sync.Mutex
	done map[string]bool // host/provider whose results Finish recorded
}

func (h *journalHook) Begin(hp model.HostPlan) (uint64, error) {
	in := journal.Intent{Host: hp.Host, Provider: hp.Provider, Policy: hp.Policy, ConfigCommit: h.commit, Run: h.run,
		Actions: model.ProviderActions(hp.Actions)}
	return h.j.Begin(in)
}

// Finish records the results as the host's last_apply will show them, so
// a later process can report them if this one cannot.
func (h *journalHook) Finish(seq uint64, r *apply.HostResult) error {
	if err := h.j.Finish(seq, lastapply.Reported(r)); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done == nil {
		h.done = map[string]bool{}
	}
	h.done[r.Host+"/"+r.Provider] = true
	return nil
}

// recordRest journals the results of the hosts the apply never started
// (skipped: rollout halted, window closed, shutting down), so that they
// too are reported if this reconcile's reports cannot be pushed.
func (h *journalHook) recordRest(rep *apply.Report) error {
	var errs []error
	for i := range rep.Hosts {
		r := &rep.Hosts[i]
		h.mu.Lock()
		done := h.done[r.Host+"/"+r.Provider]
		h.mu.Unlock()
		if done || len(r.Results) == 0 {
			continue
		}
		in := journal.Intent{Host: r.Host, Provider: r.Provider, Policy: r.Policy, ConfigCommit: h.commit, Run: h.run,
			StartedAt: r.StartedAt}
		for _, x := range r.Results {
			in.Actions = append(in.Actions, model.ProviderAction{ID: x.ActionID})
		}
		seq, err := h.j.Begin(in)
		if err == nil {
			err = h.Finish(seq, r)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("host %s: %w", r.Host, err))
		}
	}
	return errors.Join(errs...)
}

// recover resolves the intents an earlier process left without results
// (it was killed mid-apply) against the fresh scan: an action whose target
// the scan shows is succeeded, anything else interrupted. Nothing is re-run
// here; the plan decides what is still due. The results join the journal's
// finished ones (see unreported). It returns the hosts resolved since the
// journal was last compacted, including those of a run that crashed again
// before its reports were pushed.
func (d *Daemon) recover(inv map[string]*model.Snapshot) []string {
	for _, in := range d.journal.Pending() {
		if err := d.journal.Resolve(in.Seq, resolve(in, inv[in.Host])); err != nil {
			d.log.WithError(err).Error("could not record the recovery in the apply journal")
			continue
		}
		d.log.WithFields(logrus.Fields{"host": in.Host, "provider": in.Provider, "seq": in.Seq, "actions": len(in.Actions)}).
			Warn("resolved an apply a previous run did not finish (crash or kill)")
	}
	var hosts []string
	for _, rsv := range d.journal.Recovered() {
		hosts = append(hosts, rsv.Intent.Host)
	}
	return hosts
}

// resolve judges each action of an unfinished intent by the host's scan.
func resolve(in journal.Intent, snap *model.Snapshot) []model.ActionResult {
	stopped := fmt.Sprintf("tend stopped during this apply (started %s, crash or kill)", in.StartedAt.UTC().Format(time.RFC3339))
	var pi *model.ProviderInventory
	if snap != nil {
		pi = snap.Providers[in.Provider]
	}
	out := make([]model.ActionResult, 0, len(in.Actions))
	for _, a := range in.Actions {
		r := model.ActionResult{ActionID: a.ID, Status: model.StatusInterrupted}
		if pi == nil {
			r.Message = stopped + "; the host could not be scanned since, so the outcome is unknown"
			out = append(out, r)
			continue
		}
		have, installed := installedVersion(pi, a.Package)
		if u, ok := unfinished(pi, a.Package); ok {
			r.Message = fmt.Sprintf("%s; the scan since shows %s %s %s: it needs repair on the host", stopped, a.Package, u.Version, u.State)
			out = append(out, r)
			continue
		}
		switch a.Type {
		case model.ActionInstall, model.ActionUpgrade, model.ActionDowngrade:
			if installed && have == a.To {
				r.Status = model.StatusSucceeded
				r.Message = stopped + "; the scan since shows " + a.Package + " " + a.To + " installed"
			} else if installed {
				r.Message = stopped + "; the scan since shows " + a.Package + " " + have + ", not " + a.To
			} else {
				r.Message = stopped + "; the scan since does not list " + a.Package + " as installed"
			}
		case model.ActionRemove:
			if !installed {
				r.Status = model.StatusSucceeded
				r.Message = stopped + "; the scan since shows " + a.Package + " removed"
			} else {
				r.Message = stopped + "; the scan since shows " + a.Package + " " + have + " still installed"
			}
		default:
			r.Message = stopped + "; the scan cannot tell whether this " + a.Type + " happened"
		}
		out = append(out, r)
	}
	return out
}

func unfinished(pi *model.ProviderInventory, pkg string) (model.Unfinished, bool) {
	for _, u := range pi.Unfinished {
		if u.Name == pkg {
			return u, true
		}
	}
	return model.Unfinished{}, false
}

func installedVersion(pi *model.ProviderInventory, pkg string) (string, bool) {
	for _, i := range pi.Installed {
		if i.Name == pkg || i.ID == pkg {
			return i.Version, true
		}
	}
	return "", false
}
