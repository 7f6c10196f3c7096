package apply

import (
	"fmt"
	"sort"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// Recheck compares the actions of a plan made from offline inventory (a
// snapshot directory or git:REF) with each host's live state, scanned just
// before the apply: an action whose package is already at its target is
// skipped ("already at"), one whose package moved (its installed version
// is not the action's from) is skipped too, saying what the plan expected
// and what the host has. It returns the plan to apply, without those
// actions (a host's reboot goes with them when no package action is left
// and the host does not need one), and the skipped results by host, to
// add to the apply's report (Merge). Hosts without a live snapshot keep
// their actions. The plan is not modified.
func Recheck(plan *model.Plan, live map[string]*model.Snapshot) (*model.Plan, []HostResult) {
	out := *plan
	out.Hosts = make([]model.HostPlan, len(plan.Hosts))
	var skipped []HostResult
	for i, h := range plan.Hosts {
		out.Hosts[i] = h
		snap := live[h.Host]
		if snap == nil || len(h.Actions) == 0 {
			continue
		}
		inv := snap.Providers[h.Provider]
		if inv == nil {
			continue
		}
		var keep []model.Action
		var res []model.ActionResult
		packages := 0
		for _, a := range h.Actions {
			if a.Type == model.ActionReboot {
				keep = append(keep, a)
				continue
			}
			if msg := moved(a, installed(inv, a.Package)); msg != "" {
				res = append(res, model.ActionResult{ActionID: a.ID, Status: model.StatusSkipped, Message: msg})
				continue
			}
			keep = append(keep, a)
			packages++
		}
		if len(res) == 0 {
			continue
		}
		if packages == 0 && !inv.PendingReboot {
			for _, a := range keep {
				res = append(res, model.ActionResult{ActionID: a.ID, Status: model.StatusSkipped,
					Message: "no package of the plan changes on this host now, and it does not need a reboot"})
			}
			keep = nil
		}
		out.Hosts[i].Actions = keep
		if len(keep) == 0 {
			out.Hosts[i].Transaction = nil
		}
		skipped = append(skipped, HostResult{Host: h.Host, Provider: h.Provider, Policy: h.Policy, Results: res})
	}
	out.Summary = model.Summarize(out.Hosts)
	return &out, skipped
}

// moved says why action a must not run on a host that has version v of
// its package installed ("" for none), or "" when it should run.
func moved(a model.Action, v string) string {
	switch a.Type {
	case model.ActionInstall, model.ActionUpgrade, model.ActionDowngrade:
		switch {
		case v == a.To:
			return fmt.Sprintf("%s is already at %s (the host changed since the plan's inventory was scanned)", a.Package, a.To)
		case v != a.From:
			return fmt.Sprintf("%s moved since the plan's inventory was scanned: the plan expected %s, the host has %s; make a new plan",
				a.Package, orNone(a.From), orNone(v))
		}
	case model.ActionRemove:
		if v == "" {
			return fmt.Sprintf("%s is already removed (the host changed since the plan's inventory was scanned)", a.Package)
		}
		if a.From != "" && v != a.From {
			return fmt.Sprintf("%s moved since the plan's inventory was scanned: the plan expected %s, the host has %s; make a new plan",
				a.Package, a.From, v)
		}
	}
	return ""
}

func orNone(v string) string {
	if v == "" {
		return "none"
	}
	return v
}

// installed is the version of pkg (a name, or name:arch) the inventory
// lists as installed, "" when none.
func installed(inv *model.ProviderInventory, pkg string) string {
	for _, it := range inv.Installed {
		if it.Name == pkg || (it.Arch != "" && it.Name+":"+it.Arch == pkg) {
			return it.Version
		}
	}
	return ""
}

// Merge adds the results Recheck skipped to the apply's report, stamped
// now: to the host's result when it was applied, else as its own.
func Merge(rep *Report, skipped []HostResult, now time.Time) {
	for _, s := range skipped {
		found := false
		for i := range rep.Hosts {
			if h := &rep.Hosts[i]; h.Host == s.Host && h.Provider == s.Provider {
				h.Results = append(s.Results, h.Results...)
				found = true
				break
			}
		}
		if !found {
			s.StartedAt, s.FinishedAt = now.UTC(), now.UTC()
			rep.Hosts = append(rep.Hosts, s)
		}
	}
	sort.SliceStable(rep.Hosts, func(i, j int) bool {
		a, b := rep.Hosts[i], rep.Hosts[j]
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.Provider < b.Provider
	})
}
