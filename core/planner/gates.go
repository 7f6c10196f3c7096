package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/schedule"
)

// Gates are what decides when a policy may act on a host, besides its
// approval delays and rings: its windows (any open one lets it act), the
// freezes that cover the host (no non-emergency action in their span) and
// suspensions of the policy or the host (no action at all until they end).

// namedWindow is one of a policy's windows.
type namedWindow struct {
	name string
	w    *schedule.Window
}

// maxHops bounds the search for an instant that is in a window and in no
// freeze: freezes that each end where the next window opening is frozen
// again.
const maxHops = 64

// windowsOf returns the policy's windows that decoded, in the order named.
func windowsOf(c *config.Config, p *config.Policy) []namedWindow {
	var out []namedWindow
	for _, r := range p.Windows {
		if w := c.Windows[r.Name]; w != nil && w.Schedule != nil {
			out = append(out, namedWindow{w.Name, w.Schedule})
		}
	}
	return out
}

// windowInfo is the state of the policy's windows at now, as plans show
// it: the first open window, or else the one that opens next.
func windowInfo(ws []namedWindow, now time.Time) *model.WindowInfo {
	var best *model.WindowInfo
	for _, nw := range ws {
		st := nw.w.State(now)
		info := &model.WindowInfo{Name: nw.name, Open: st.Open}
		if st.Open {
			opened, closes := st.OpenedAt, st.ClosesAt
			info.NextOpen, info.ClosesAt = &opened, &closes
			return info
		}
		if !st.NextOpen.IsZero() {
			next := st.NextOpen
			info.NextOpen = &next
		}
		if best == nil || (info.NextOpen != nil && (best.NextOpen == nil || info.NextOpen.Before(*best.NextOpen))) {
			best = info
		}
	}
	return best
}

// nextWindow returns the earliest instant at or after t at which one of the
// policy's windows is open (t itself when it has none), zero when none opens
// again.
func (pp *policyPlan) nextWindow(t time.Time) time.Time {
	if len(pp.windows) == 0 {
		return t
	}
	var best time.Time
	for _, nw := range pp.windows {
		if n := nw.w.NextUsable(t); !n.IsZero() && (best.IsZero() || n.Before(best)) {
			best = n
		}
	}
	return best
}

// windowNames names the policy's windows for reasons: "window a" or
// "windows a, b".
func (pp *policyPlan) windowNames() string {
	names := make([]string, len(pp.p.Windows))
	for i, r := range pp.p.Windows {
		names[i] = r.Name
	}
	if len(names) == 1 {
		return "window " + names[0]
	}
	return "windows " + strings.Join(names, ", ")
}

// freezeAt returns the freeze that holds host at t, nil when none does.
// Of overlapping freezes it returns the one that lasts longest.
func (pp *policyPlan) freezeAt(host string, t time.Time) *config.Freeze {
	var best *config.Freeze
	for _, name := range sortedKeys(pp.in.Config.Freezes) {
		f := pp.in.Config.Freezes[name]
		if !f.ActiveAt(host, t) {
			continue
		}
		if best == nil || freezeEnd(f, t).After(freezeEnd(best, t)) {
			best = f
		}
	}
	return best
}

// freezeEnd is when the span of f that holds at t ends.
func freezeEnd(f *config.Freeze, t time.Time) time.Time {
	_, until, _ := f.SpanAt(t)
	return until
}

// freezeText says why a freeze holds a change at t.
func freezeText(f *config.Freeze, t time.Time) string { return f.Text(t) }

// opening is when the policy may next act on host at or after from,
// given its windows and the freezes: next is zero when that never comes.
// why says what holds it at from, and any freeze that holds it later ("" when
// nothing does: next is from); then names what holds it, for a reason that
// already names an earlier constraint ("window a", "freeze f, window a");
// cause is model.DeferWindow or model.DeferFreeze, whichever holds it at from.
func (pp *policyPlan) opening(host string, from time.Time) (next time.Time, why, then, cause string) {
	var whys, names []string
	seen := map[string]bool{}
	hold := func(phrase, name, c string) {
		if !seen[phrase] {
			seen[phrase] = true
			whys = append(whys, phrase)
			if cause == "" {
				cause = c
			}
		}
		if !seen["\x00"+name] {
			seen["\x00"+name] = true
			names = append(names, name)
		}
	}
	t := from
	for range maxHops {
		wt := pp.nextWindow(t)
		if wt.IsZero() {
			verb := " never opens"
			if len(pp.windows) > 1 {
				verb = " never open"
			}
			hold(pp.windowNames()+verb, pp.windowNames()+verb, model.DeferWindow)
			return time.Time{}, strings.Join(whys, "; "), strings.Join(names, ", "), cause
		}
		if wt.After(t) {
			closed := pp.windowNames() + " closed"
			if len(pp.windows) > 1 {
				closed = pp.windowNames() + " all closed"
			}
			if t.Equal(from) {
				hold(closed, pp.windowNames(), model.DeferWindow)
			} else {
				hold("", pp.windowNames(), model.DeferWindow)
			}
		}
		f := pp.freezeAt(host, wt)
		if f == nil {
			return wt, strings.Join(nonEmpty(whys), "; "), strings.Join(names, ", "), cause
		}
		hold(freezeText(f, wt), "freeze "+f.Name, model.DeferFreeze)
		t = freezeEnd(f, wt)
	}
	return time.Time{}, strings.Join(nonEmpty(whys), "; "), strings.Join(names, ", "), cause
}

func nonEmpty(list []string) []string {
	out := list[:0:0]
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// suspension returns the suspension in force on host under the policy
// (the policy's first), and what it suspends, in words.
func (pp *policyPlan) suspension(host string) (*config.Suspend, string) {
	if pp.p.Suspend.ActiveAt(pp.now) {
		return pp.p.Suspend, fmt.Sprintf("policy %s", pp.p.Name)
	}
	if h := pp.in.Config.Hosts[host]; h != nil && h.Suspend.ActiveAt(pp.now) {
		return h.Suspend, fmt.Sprintf("host %s", host)
	}
	return nil, ""
}

// suspendInfo describes the suspension in force on host, nil when none.
func (pp *policyPlan) suspendInfo(host string) *model.SuspendInfo {
	s, _ := pp.suspension(host)
	if s == nil || s.Until == nil {
		return nil
	}
	of := "policy"
	if s != pp.p.Suspend {
		of = "host"
	}
	return &model.SuspendInfo{Of: of, Until: *s.Until, Reason: s.Reason}
}

// freezeInfo describes the freeze that holds host now, nil when none does
// or the policy is an emergency one.
func (pp *policyPlan) freezeInfo(host string) *model.FreezeInfo {
	if pp.p.Emergency {
		return nil
	}
	f := pp.freezeAt(host, pp.now)
	if f == nil {
		return nil
	}
	from, until, _ := f.SpanAt(pp.now)
	return &model.FreezeInfo{Name: f.Name, From: from, Until: until, Reason: f.Reason}
}

// warnExpiredSuspends warns about the policy's expired suspension, and
// about those of its hosts.
func (pp *policyPlan) warnExpiredSuspends() {
	if s := pp.p.Suspend; s.ExpiredAt(pp.now) {
		pp.warns.add(where(s.DeclRange), "%s", s.ExpiredText(fmt.Sprintf("policy %q", pp.p.Name)))
	}
	for _, h := range pp.p.Hosts {
		if hc := pp.in.Config.Hosts[h]; hc != nil && hc.Suspend.ExpiredAt(pp.now) {
			pp.warns.add(where(hc.Suspend.DeclRange), "%s", hc.Suspend.ExpiredText(fmt.Sprintf("host %q", h)))
		}
	}
}
