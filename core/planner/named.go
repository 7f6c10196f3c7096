package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

// named lists where the packages the policy names stand on the host when
// the host plan has no action, deferred or skipped entry for them: pins
// met, pins the host's sources do not offer, packages an approve block
// names, and named packages the host does not have (for compliance). A
// pinned package is listed unless the plan changes, defers or skips it to
// the pinned version: updates to other versions skipped as "pinned to" do
// not count, the pin is the policy's verdict on it. Glob patterns name what
// is installed; only exact names are listed as absent.
func (pp *policyPlan) named(inv *model.ProviderInventory, hp *model.HostPlan) []model.NamedPackage {
	planned := plannedPackages(hp, nil)
	pinPlanned := plannedPackages(hp, pp.pins)
	installed := map[string]string{}
	for _, it := range inv.Installed {
		installed[it.Name] = it.Version
	}
	offered := map[string]bool{}
	for _, u := range inv.Available {
		offered[u.Name] = true
	}
	var out []model.NamedPackage
	seen := map[string]bool{}
	add := func(n model.NamedPackage) {
		if !seen[n.Package] {
			seen[n.Package] = true
			out = append(out, n)
		}
	}
	for _, name := range sortedKeys(pp.pins) {
		pin := pp.pins[name]
		v, ok := installed[name]
		switch {
		case pinPlanned[name] && !(ok && v == pin.Version):
		case ok:
			n := model.NamedPackage{Package: name, Installed: v, Pin: pin.Version, Reason: pinReason(name, pin.Version, true)}
			if v != pin.Version {
				n.Problem = pinUnoffered(name, pin.Version, inv.Versions[name])
			}
			add(n)
		case !offered[name]:
			add(model.NamedPackage{Package: name, Pin: pin.Version, Reason: pinReason(name, pin.Version, true)})
		}
	}
	for i := range pp.approve {
		a := &pp.approve[i]
		if len(a.packages) == 0 {
			continue
		}
		for _, it := range inv.Installed {
			if _, ok := firstMatch(a.packages, it.Name); ok && !planned[it.Name] {
				add(model.NamedPackage{Package: it.Name, Installed: it.Version, Reason: a.reason})
			}
		}
		for _, m := range a.packages {
			if _, ok := installed[m.text]; m.exact && !ok && !offered[m.text] {
				add(model.NamedPackage{Package: m.text, Reason: a.reason})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Package < out[j].Package })
	return out
}

// plannedPackages are the packages a host plan has an action, deferred or
// skipped entry for; with pins, a pinned package's skipped entries count
// only when they skip the pinned version itself.
func plannedPackages(hp *model.HostPlan, pins map[string]*config.Pin) map[string]bool {
	out := map[string]bool{}
	for _, a := range hp.Actions {
		out[a.Package] = true
	}
	for _, d := range hp.Deferred {
		out[d.Package] = true
	}
	for _, s := range hp.Skipped {
		if pin, ok := pins[s.Package]; !ok || s.To == pin.Version {
			out[s.Package] = true
		}
	}
	return out
}

// pinUnoffered says that a host's sources, which offer versions, do not
// offer the pinned one.
func pinUnoffered(pkg, pin string, versions []string) string {
	offered := "nothing"
	if len(versions) > 0 {
		offered = strings.Join(versions, ", ")
	}
	return fmt.Sprintf("pin %s = %q: the host's sources do not offer that version (they offer %s)", pkg, pin, offered)
}
