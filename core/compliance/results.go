package compliance

import (
	"strings"

	"github.com/tend-sh/tend/core/model"
)

// NewApplies returns, per host of reports in order, the results of its last
// apply that previous (the reports on the branch before, by host) does not
// already record, each described from plan (the plan the apply carried
// out: action type, versions, policy) or, failing that, from the previous
// report's item for the package (versions). A host whose last apply is all
// recorded has no entry.
func NewApplies(reports []model.Report, previous map[string]*model.Report, plan *model.Plan) []model.HostApply {
	actions, policies := planIndex(plan)
	var out []model.HostApply
	for _, r := range reports {
		la := r.LastApply
		if la == nil {
			continue
		}
		prev := previous[r.Host]
		var seen map[model.ActionResult]bool
		if prev != nil && prev.LastApply != nil && prev.LastApply.StartedAt.Equal(la.StartedAt) {
			seen = map[model.ActionResult]bool{}
			for _, x := range prev.LastApply.Results {
				seen[x] = true
			}
		}
		ha := model.HostApply{Host: r.Host, Client: r.Client, StartedAt: la.StartedAt, FinishedAt: la.FinishedAt}
		for _, x := range la.Results {
			if seen[x] {
				continue
			}
			a := model.AppliedAction{ActionID: x.ActionID, Status: x.Status, Message: x.Message}
			_, rest, _ := strings.Cut(x.ActionID, "/")
			a.Provider, a.Package, _ = strings.Cut(rest, "/")
			a.Policy = policies[r.Host+"/"+a.Provider]
			if pa, ok := actions[x.ActionID]; ok {
				a.Type, a.From, a.To, a.Package = pa.Type, pa.From, pa.To, pa.Package
			} else if it := previousItem(prev, a.Provider, a.Package); it != nil {
				a.From, a.To = it.Installed, it.Required
			}
			ha.Results = append(ha.Results, a)
		}
		if len(ha.Results) > 0 {
			out = append(out, ha)
		}
	}
	return out
}

// planIndex indexes a plan's actions by id and its policies by
// "host/provider".
func planIndex(plan *model.Plan) (map[string]model.Action, map[string]string) {
	actions, policies := map[string]model.Action{}, map[string]string{}
	if plan == nil {
		return actions, policies
	}
	for _, hp := range plan.Hosts {
		if hp.Policy != "" {
			policies[hp.Host+"/"+hp.Provider] = hp.Policy
		}
		for _, a := range hp.Actions {
			actions[a.ID] = a
		}
	}
	return actions, policies
}

func previousItem(prev *model.Report, provider, pkg string) *model.Item {
	if prev == nil {
		return nil
	}
	for i := range prev.Items {
		if prev.Items[i].Provider == provider && prev.Items[i].Package == pkg {
			return &prev.Items[i]
		}
	}
	return nil
}
