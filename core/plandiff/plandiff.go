package plandiff

import (
	"cmp"
	"slices"
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
	Base, Head              State
}

// Delta is everything that differs.
type Delta struct {
	Changes []Change
	// Hosts counts the hosts with at least one change.
	Hosts int
	// ActionsAdded and ActionsRemoved count changes into and out of
	// KindAction (a changed target version counts as both).
	ActionsAdded, ActionsRemoved int
}

// Empty reports whether the plans do the same.
func (d *Delta) Empty() bool { return len(d.Changes) == 0 }

type key struct{ host, provider, pkg string }

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
			out[key{h.Host, h.Provider, a.Package}] = State{Kind: KindAction, Type: a.Type, From: a.From, To: a.To, Reason: a.Reason}
		}
		for _, d := range h.Deferred {
			out[key{h.Host, h.Provider, d.Package}] = State{Kind: KindDeferred, To: d.To, Until: d.Until, Reason: d.Reason}
		}
		for _, s := range h.Skipped {
			out[key{h.Host, h.Provider, s.Package}] = State{Kind: KindSkipped, To: s.To, Reason: s.Reason}
		}
		if h.Reboot != "" && h.Reboot != model.RebootNone {
			out[key{h.Host, h.Provider, model.RebootItem}] = State{Kind: KindReboot, Type: h.Reboot}
		}
	}
	return out
}

// same reports whether two states do the same thing: reasons that differ
// in wording only (another approve block matched) are not a change, nor
// are two skips for different reasons (neither installs anything).
func same(a, b State) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case KindAction:
		return a.Type == b.Type && a.To == b.To
	case KindDeferred:
		return a.To == b.To && equalTime(a.Until, b.Until)
	case KindReboot:
		return a.Type == b.Type
	}
	return true
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
	hosts := map[string]bool{}
	visit := func(k key) {
		bs, hs := b[k], h[k]
		if same(bs, hs) {
			return
		}
		d.Changes = append(d.Changes, Change{Host: k.host, Provider: k.provider, Package: k.pkg, Base: bs, Head: hs})
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
		return cmp.Or(cmp.Compare(x.Host, y.Host), cmp.Compare(x.Provider, y.Provider), cmp.Compare(x.Package, y.Package))
	})
	d.Hosts = len(hosts)
	return d
}
