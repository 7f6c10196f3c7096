package compliance

import (
	"slices"

	"github.com/tend-sh/tend/core/model"
)

// namedItems turns the packages the policy names and the plan leaves alone
// into items: not_applicable when the host does not have the package,
// installed when it is at the pinned version (or, named by an approve
// block, has no pending update), installed_other when a pin cannot be
// reached (detail says why).
func namedItems(hp model.HostPlan) []model.Item {
	out := make([]model.Item, 0, len(hp.Named))
	for _, n := range hp.Named {
		it := model.Item{Provider: hp.Provider, Package: n.Package, Installed: n.Installed, Required: n.Pin, CVEs: []string{}}
		switch {
		case n.Installed == "":
			it.State = model.ItemNotApplicable
			it.Detail = "the host does not have it and no update offers it (" + n.Reason + ")"
		case n.Pin == "" || n.Pin == n.Installed:
			it.State, it.Required = model.ItemInstalled, n.Installed
		default:
			it.State, it.Detail = model.ItemInstalledOther, n.Problem
		}
		out = append(out, it)
	}
	return out
}

// namedSet is the set of packages hp.Named lists.
func namedSet(hp model.HostPlan) map[string]bool {
	out := make(map[string]bool, len(hp.Named))
	for _, n := range hp.Named {
		out[n.Package] = true
	}
	return out
}

// appendOther appends an installed_other item for pkg when it is installed
// (at version installed): the policy requires no particular version of it
// now, and detail says which update it leaves aside and why.
func appendOther(out []model.Item, provider, pkg, installed, detail string) []model.Item {
	if installed == "" {
		return out
	}
	return append(out, model.Item{Provider: provider, Package: pkg, Installed: installed,
		State: model.ItemInstalledOther, CVEs: []string{}, Detail: detail})
}

// delayDetail says that an update is approved but its approval delay has
// not passed.
func delayDetail(d model.Deferred) string {
	return d.To + " approved, not required yet: " + d.Reason
}

// appendNew appends the strings of add that list does not hold yet.
func appendNew(list []string, add ...string) []string {
	for _, s := range add {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}
