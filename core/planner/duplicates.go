package planner

import (
	"fmt"
	"strings"

	"github.com/tend-sh/tend/core/model"
)

// deduplicated returns inv with each package listed once, so that every
// action id (HOST/PROVIDER/PACKAGE) is made once. A package repeated with
// one version is planned once, with a warning; one listed with different
// versions is not planned at all (the inventory does not say which is
// true): an error for the host, which the rest of its plan does not wait
// for. inv itself is not modified.
func (pp *policyPlan) deduplicated(host string, inv *model.ProviderInventory, hp *model.HostPlan) *model.ProviderInventory {
	out := *inv
	// The installed list only matters to pins and reject: otherwise it is
	// not checked, and kept as it is.
	checkInstalled := len(pp.pins) > 0 || len(pp.reject) > 0
	probe := *inv
	if !checkInstalled {
		probe.Installed = nil
	}
	installed, available, dups := probe.Deduplicated()
	out.Available = available
	if checkInstalled {
		out.Installed = installed
	}
	var conflicted []string
	for _, d := range dups {
		what := "available update"
		if d.List == model.ListInstalled {
			what = "installed package"
		}
		if !d.Conflict() {
			pp.warns.add("", "host %q: the %s inventory lists %s %q %d times; it is planned once", host, pp.p.Provider, what, d.Key, d.Count)
			continue
		}
		msg := fmt.Sprintf("the %s inventory lists %s %q %d times with different versions (%s): %s is not planned on this host until a scan lists it once",
			pp.p.Provider, what, d.Key, d.Count, strings.Join(d.Versions, ", "), d.Key)
		hp.Errors = append(hp.Errors, msg)
		pp.warns.add("", "host %q: %s", host, msg)
		conflicted = append(conflicted, d.Key)
	}
	// A package in conflict in one list is left alone in the other, too.
	if len(conflicted) > 0 {
		out.Installed = dropNamed(out.Installed, conflicted, func(it model.Installed) (string, string) { return it.ID, it.Name })
		out.Available = dropNamed(out.Available, conflicted, func(u model.Update) (string, string) { return u.ID, u.Name })
	}
	return &out
}

// dropNamed removes the entries whose id or name is in names.
func dropNamed[T any](list []T, names []string, key func(T) (id, name string)) []T {
	out := make([]T, 0, len(list))
	for _, x := range list {
		id, name := key(x)
		if containsString(names, id) || containsString(names, name) {
			continue
		}
		out = append(out, x)
	}
	return out
}

// uniqueIDs keeps one action per id. Package names are unique after
// deduplicated, but the reboot action's id (HOST/PROVIDER/reboot) is also
// the id of a package named "reboot": the reboot stays, and the package
// is not planned, with an error that says why.
func uniqueIDs(hp *model.HostPlan) {
	taken := map[string]bool{}
	for _, a := range hp.Actions {
		if a.Type == model.ActionReboot {
			taken[a.ID] = true
		}
	}
	kept := hp.Actions[:0]
	for _, a := range hp.Actions {
		if a.Type != model.ActionReboot {
			if taken[a.ID] {
				hp.Errors = append(hp.Errors, fmt.Sprintf("%s of %s is not planned: its action id %s is already another action's", a.Type, a.Package, a.ID))
				continue
			}
			taken[a.ID] = true
		}
		kept = append(kept, a)
	}
	hp.Actions = kept
}
