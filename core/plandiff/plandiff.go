package plandiff

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// Kinds of State.
const (
	KindNone     = ""         // not in that plan (host not targeted, or nothing available)
	KindAction   = "action"   // planned now
	KindDeferred = "deferred" // approved, waiting
	KindSkipped  = "skipped"  // rejected, excluded, pinned elsewhere, not approved
	KindReboot   = "reboot"   // the host's reboot decision (package model.RebootItem)
	// KindDependency is a change the host's transaction makes beyond the
	// planned actions (a dependency pulled in, a package removed), in a
	// transaction that goes ahead; Reason says what requires it.
	KindDependency = "dependency"
)

// State is what one plan does with one update.
type State struct {
	Kind string
	// Type is the action type (upgrade, install, …) of an action.
	Type     string
	From, To string
	// Until is when a deferred update becomes due (nil: unknown).
	Until  *time.Time
	Reason string
}

// Change is one update whose state differs between the plans.
type Change struct {
	Host, Provider, Package string
	// Dependency says the change is of a package the transaction changes
	// beyond the actions (KindDependency in either plan).
	Dependency bool
	Base, Head State
}

// Delta is everything that differs.
type Delta struct {
	Changes []Change
	// Hosts counts the hosts with at least one change.
	Hosts int
	// ActionsAdded and ActionsRemoved count changes into and out of
	// KindAction (a changed target version counts as both).
	ActionsAdded, ActionsRemoved int
	// BaseExposure and HeadExposure are the CVEs each plan closes and
	// leaves open; empty unless the head plan used vulnerability feeds.
	BaseExposure, HeadExposure model.Exposure
}

// Empty reports whether the plans do the same.
func (d *Delta) Empty() bool { return len(d.Changes) == 0 }

type key struct {
	host, provider, pkg string
	dep                 bool
}

// states indexes every update of a plan.
func states(p *model.Plan) map[key]State {
	out := map[key]State{}
	if p == nil {
		return out
	}
	for _, h := range p.Hosts {
		for _, a := range h.Actions {
			if a.Type == model.ActionReboot {
				continue
			}
			out[key{h.Host, h.Provider, a.Package, false}] = State{Kind: KindAction, Type: a.Type, From: a.From, To: a.To, Reason: a.Reason}
		}
		for _, d := range h.Deferred {
			out[key{h.Host, h.Provider, d.Package, false}] = State{Kind: KindDeferred, To: d.To, Until: d.Until, Reason: d.Reason}
		}
		for _, s := range h.Skipped {
			out[key{h.Host, h.Provider, s.Package, false}] = State{Kind: KindSkipped, To: s.To, Reason: s.Reason}
		}
		if h.Reboot != "" && h.Reboot != model.RebootNone {
			out[key{h.Host, h.Provider, model.RebootItem, false}] = State{Kind: KindReboot, Type: h.Reboot}
		}
		dependencies(h, out)
	}
	return out
}

// dependencies indexes the changes h's transaction makes beyond its
// actions, when it goes ahead (a blocked one installs nothing: its actions
// are skipped).
func dependencies(h model.HostPlan, out map[key]State) {
	t := h.Transaction
	if t == nil || t.Status == model.TransactionBlocked {
		return
	}
	for _, c := range t.Extra {
		reason := ""
		if len(c.RequiredBy) > 0 {
			reason = "required by " + strings.Join(c.RequiredBy, ", ")
		}
		out[key{h.Host, h.Provider, c.Package, true}] = State{Kind: KindDependency, Type: c.Kind, From: c.From, To: c.To, Reason: reason}
	}
}

// same reports whether two states do the same thing: reasons that differ
// in wording only (another approve block matched) are not a change, nor
// are two skips for different reasons (neither installs anything).
func same(a, b State) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case KindAction, KindDependency:
		return a.Type == b.Type && a.To == b.To
	case KindDeferred:
		return a.To == b.To && equalTime(a.Until, b.Until)
	case KindReboot:
		return a.Type == b.Type
	}
	return true
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func equalTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// Diff lists the updates whose state differs from base to head, sorted by
// host, provider and package.
func Diff(base, head *model.Plan) *Delta {
	b, h := states(base), states(head)
	d := &Delta{Changes: []Change{}}
	if base != nil && head != nil && len(head.Feeds) > 0 {
		d.BaseExposure, d.HeadExposure = model.CVEExposure(base), model.CVEExposure(head)
	}
	hosts := map[string]bool{}
	visit := func(k key) {
		bs, hs := b[k], h[k]
		if same(bs, hs) {
			return
		}
		d.Changes = append(d.Changes, Change{Host: k.host, Provider: k.provider, Package: k.pkg, Dependency: k.dep, Base: bs, Head: hs})
		hosts[k.host] = true
		if hs.Kind == KindAction {
			d.ActionsAdded++
		}
		if bs.Kind == KindAction {
			d.ActionsRemoved++
		}
	}
	for k := range b {
		visit(k)
	}
	for k := range h {
		if _, seen := b[k]; !seen {
			visit(k)
		}
	}
	slices.SortFunc(d.Changes, func(x, y Change) int {
		return cmp.Or(cmp.Compare(x.Host, y.Host), cmp.Compare(x.Provider, y.Provider), cmp.Compare(x.Package, y.Package), compareBool(x.Dependency, y.Dependency))
	})
	d.Hosts = len(hosts)
	return d
}
