package planner

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

// HostKey names one host plan: a host and a provider.
type HostKey struct{ Host, Provider string }

// Resolved is what is known of one host plan's transaction: the provider's
// resolution, or why there is none.
type Resolved struct {
	// Resolution is the provider's resolution; nil when there is none.
	Resolution *model.Resolution
	// Source is model.ResolvedLive or model.ResolvedRecorded.
	Source string
	// Unsupported says the provider does not resolve transactions.
	Unsupported bool
	// Failure is why resolving failed (live); the host is then blocked,
	// since nothing may be installed that was not checked.
	Failure string
}

// Recorded returns the resolutions the snapshots of inv recorded, for an
// offline plan to check against.
func Recorded(inv map[string]*model.Snapshot) map[HostKey]Resolved {
	out := map[HostKey]Resolved{}
	for host, snap := range inv {
		if snap == nil {
			continue
		}
		for name, pi := range snap.Providers {
			if pi != nil && pi.Resolution != nil {
				out[HostKey{host, name}] = Resolved{Resolution: pi.Resolution, Source: model.ResolvedRecorded}
			}
		}
	}
	return out
}

// ResolvableActions are the actions of h a package manager resolves (not
// reboots, holds or unholds), in order.
func ResolvableActions(h *model.HostPlan) []model.Action {
	var out []model.Action
	for _, a := range h.Actions {
		switch a.Type {
		case model.ActionInstall, model.ActionUpgrade, model.ActionDowngrade, model.ActionRemove:
			out = append(out, a)
		}
	}
	return out
}

// CheckTransactions sets the transaction of every host plan of pl that
// has package actions, from res and the host's policy in cfg (see
// CheckHost), and counts the plan again. A host plan without an entry in
// res is checked as one without a recorded resolution.
func CheckTransactions(cfg *config.Config, pl *model.Plan, res map[HostKey]Resolved) {
	for i := range pl.Hosts {
		h := &pl.Hosts[i]
		pl.Hosts[i] = CheckHost(cfg.Policies[h.Policy], *h, res[HostKey{h.Host, h.Provider}], pl.GeneratedAt)
	}
	pl.Summary = model.Summarize(pl.Hosts)
}

// CheckHost returns hp with its Transaction set from r: resolved, with
// the changes beyond the planned actions listed; blocked, with every
// action moved to skipped, when the transaction differs from the actions,
// changes a package p rejects, excludes or pins to another version (unless
// dependencies = "allow"), removes a package (unless removals = "allow"),
// or could not be resolved; or unresolved or unsupported, saying why.
// Exclusions are judged as of now. A host plan without package actions is
// returned as it is.
func CheckHost(p *config.Policy, hp model.HostPlan, r Resolved, now time.Time) model.HostPlan {
	actions := ResolvableActions(&hp)
	if len(actions) == 0 || p == nil {
		return hp
	}
	switch {
	case r.Unsupported:
		hp.Transaction = &model.Transaction{Status: model.TransactionUnsupported,
			Reason: fmt.Sprintf("provider %s does not resolve transactions: dependencies are not checked", hp.Provider)}
		return hp
	case r.Failure != "":
		hp.Transaction = &model.Transaction{Status: model.TransactionBlocked, Source: r.Source,
			Reason: "the transaction could not be resolved: " + r.Failure}
		return block(hp)
	case r.Resolution == nil:
		hp.Transaction = &model.Transaction{Status: model.TransactionUnresolved,
			Reason: "dependencies not resolved: the inventory records no resolution (tend scan records one)"}
		return hp
	}
	at := r.Resolution.ResolvedAt.UTC()
	t := &model.Transaction{Status: model.TransactionResolved, Source: r.Source, ResolvedAt: &at}
	hp.Transaction = t
	if !covers(r.Resolution.Actions, actions) {
		t.Status = model.TransactionUnresolved
		t.Reason = fmt.Sprintf("dependencies not resolved since %s: the recorded resolution is for other updates", stamp(at))
		return hp
	}
	t.Changes = slices.Clone(r.Resolution.Changes)
	var problems []string
	t.Extra, problems = compare(actions, t.Changes)
	// The plan itself warned about expired rules.
	rules := newPolicyPlan(Input{Config: &config.Config{}}, p, now.UTC(), &warnings{})
	for _, c := range t.Extra {
		problems = append(problems, rules.transactionProblems(hp.Host, c, actions)...)
	}
	if len(problems) == 0 {
		return hp
	}
	t.Status, t.Reason = model.TransactionBlocked, strings.Join(problems, "; ")
	return block(hp)
}

// block moves every action of hp to skipped (a reboot planned with them
// waits for the next plan) and records the transaction's reason as an
// error of the host.
func block(hp model.HostPlan) model.HostPlan {
	reason := "transaction blocked: " + hp.Transaction.Reason
	hp.Skipped = slices.Clone(hp.Skipped)
	for _, a := range hp.Actions {
		if a.Type != model.ActionReboot {
			hp.Skipped = append(hp.Skipped, model.Skipped{Package: a.Package, To: a.To, Reason: reason})
		}
	}
	hp.Actions = []model.Action{}
	if hp.Reboot == model.RebootPlanned {
		hp.Reboot = model.RebootNone
	}
	hp.Errors = append(slices.Clone(hp.Errors), reason)
	sortHostPlan(&hp)
	return hp
}

// covers reports whether a resolution made for resolved is one of exactly
// actions (same packages, types and versions, in any order).
func covers(resolved []model.ProviderAction, actions []model.Action) bool {
	key := func(typ, pkg, to string) string { return typ + "\x00" + pkg + "\x00" + to }
	var a, b []string
	for _, r := range resolved {
		a = append(a, key(r.Type, r.Package, r.To))
	}
	for _, x := range actions {
		b = append(b, key(x.Type, x.Package, x.To))
	}
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// compare splits changes into the planned packages' and the extra ones
// (sorted by package), and says where the planned packages' differ from
// the actions: another version, or left out.
func compare(actions []model.Action, changes []model.Change) (extra []model.Change, problems []string) {
	planned := map[string]model.Action{}
	for _, a := range actions {
		planned[a.Package] = a
	}
	seen := map[string]bool{}
	for _, c := range changes {
		a, ok := planned[c.Package]
		if !ok {
			extra = append(extra, c)
			continue
		}
		seen[c.Package] = true
		if (a.Type == model.ActionRemove) != (c.Kind == model.ChangeRemove) || (c.Kind != model.ChangeRemove && c.To != a.To) {
			problems = append(problems, fmt.Sprintf("the package manager would change %s, not %s as planned", c.Text(), actionText(a)))
		}
	}
	for _, a := range actions {
		if !seen[a.Package] {
			problems = append(problems, fmt.Sprintf("the package manager's transaction leaves out the planned %s", actionText(a)))
		}
	}
	sort.SliceStable(extra, func(i, j int) bool { return extra[i].Package < extra[j].Package })
	return extra, problems
}

// transactionProblems says why the policy does not let the transaction
// make the extra change c on host, if it does not.
func (pp *policyPlan) transactionProblems(host string, c model.Change, actions []model.Action) []string {
	who := requiredBy(c, actions)
	var out []string
	if pp.p.Dependencies != config.TransactionAllow {
		if why := pp.holdsBack(host, c); why != "" {
			out = append(out, fmt.Sprintf("%s %s, which policy %s %s", who, needs(c), pp.p.Name, why))
		}
	}
	if c.Kind == model.ChangeRemove && pp.p.Removals != config.TransactionAllow {
		out = append(out, fmt.Sprintf("%s %s, and policy %s blocks removals (removals = %q)", who, needs(c), pp.p.Name, pp.p.Removals))
	}
	return out
}

// holdsBack says how the policy holds back the package c changes:
// rejected (at the version it would become), excluded, or pinned to
// another version; "" when it does not.
func (pp *policyPlan) holdsBack(host string, c model.Change) string {
	if c.Kind != model.ChangeRemove {
		if g, ok := firstReject(pp.reject, c.Package, c.To); ok {
			return fmt.Sprintf("rejects (reject %q)", g)
		}
	}
	if why, ok := pp.excluded(host, c.Package); ok {
		return fmt.Sprintf("excludes (%s)", why)
	}
	if pin, ok := pp.pins[c.Package]; ok && (c.Kind == model.ChangeRemove || c.To != pin.Version) {
		return fmt.Sprintf("pins to %s (pin %s = %s)", pin.Version, pin.Package, pin.Version)
	}
	return ""
}

// requiredBy names the planned changes that bring c in ("app 2.0"), or
// "the transaction" when the package manager gave no reason.
func requiredBy(c model.Change, actions []model.Action) string {
	if len(c.RequiredBy) == 0 {
		return "the transaction"
	}
	names := make([]string, len(c.RequiredBy))
	for i, name := range c.RequiredBy {
		names[i] = name
		for _, a := range actions {
			if a.Package == name && a.To != "" {
				names[i] = name + " " + a.To
			}
		}
	}
	return strings.Join(names, " and ")
}

// needs says what a transaction does with c: "needs liba 1.0 → 2.0",
// "removes liba 1.0".
func needs(c model.Change) string {
	if c.Kind == model.ChangeRemove {
		return fmt.Sprintf("removes %s %s", c.Package, c.From)
	}
	return "needs " + c.Text()
}

// actionText describes a planned action as Change.Text does a change.
func actionText(a model.Action) string {
	kind := model.ChangeUpgrade
	if a.Type == model.ActionRemove {
		kind = model.ChangeRemove
	}
	return model.Change{Package: a.Package, Kind: kind, From: a.From, To: a.To}.Text()
}
