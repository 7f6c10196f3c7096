package config

import (
	"fmt"
	"strings"
	"time"
)

// Holds says why policy p may not start work on host at t, "" when it
// may: a suspension of the policy or the host (which holds emergency
// policies too), or, unless the policy is an emergency one, a freeze that
// covers the host or every one of its windows closed (or in its cutoff).
// The planner says the same in more detail; apply checks it again as each
// host starts, since a rollout can outlast a window.
func (c *Config) Holds(p *Policy, host string, t time.Time) string {
	if why := c.HoldsBesidesWindows(p, host, t); why != "" || p.Emergency {
		return why
	}
	return c.windowsHold(p, t)
}

// HoldsBesidesWindows is Holds without the policy's windows: what holds
// the changes a policy's fast lane lets through while its windows are
// closed (a suspension, a freeze).
func (c *Config) HoldsBesidesWindows(p *Policy, host string, t time.Time) string {
	if p.Suspend.ActiveAt(t) {
		return p.Suspend.Text(fmt.Sprintf("policy %s", p.Name))
	}
	if h := c.Hosts[host]; h != nil && h.Suspend.ActiveAt(t) {
		return h.Suspend.Text(fmt.Sprintf("host %s", host))
	}
	if p.Emergency {
		return ""
	}
	for _, name := range sortedKeys(c.Freezes) {
		if f := c.Freezes[name]; f.ActiveAt(host, t) {
			return f.Text(t)
		}
	}
	return ""
}

// windowsHold says that every one of the policy's windows is closed at t,
// "" when one is open or it has none.
func (c *Config) windowsHold(p *Policy, t time.Time) string {
	if len(p.Windows) == 0 {
		return ""
	}
	var names []string
	for _, r := range p.Windows {
		w := c.Windows[r.Name]
		if w != nil && w.Schedule != nil && w.Schedule.State(t).Open {
			return ""
		}
		names = append(names, r.Name)
	}
	if len(names) == 1 {
		return "window " + names[0] + " is closed (or in its cutoff)"
	}
	return "windows " + strings.Join(names, ", ") + " are all closed (or in their cutoff)"
}
