// Package calendar is tend calendar's core: the next openings of every
// maintenance window, per client, and what the plan expects to install in
// each, as plan --at shows it at the opening's start.
package calendar

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/schedule"
)

// NoClient is the client of hosts without a "client" label.
const NoClient = ""

// Calendar is the openings from From on, grouped by client.
type Calendar struct {
	From    time.Time
	Clients []Client
}

// Client is one client's openings and freezes, each in time order.
type Client struct {
	Name     string // NoClient for hosts without a client label
	Openings []Opening
	// Freezes are the spans of the freezes that cover some of the
	// client's hosts and have not ended at From (a recurring freeze's
	// next Count).
	Freezes []Freeze
}

// Freeze is a span in which no policy but an emergency one acts on Hosts.
type Freeze struct {
	Name, Reason string
	// Start and End bound the freeze (End is its first instant after it).
	Start, End time.Time
	// UntilText is the freeze's until as written (a recurring freeze's:
	// the opening's end on the window's clock).
	UntilText string
	// Location is the clock the freeze is shown on: UTC for one span, the
	// window's for a recurring freeze.
	Location *time.Location
	// Hosts are the client's hosts (under a windowed policy) it covers.
	Hosts []string
}

// Hold is a freeze that holds some of an opening's hosts at its start:
// the plan there expects nothing on them.
type Hold struct {
	Freeze, Reason string
	Hosts          []string
}

// Opening is one opening of a window for one client's hosts.
type Opening struct {
	Window string
	// Start and End bound the opening (End is Start + duration); Cutoff
	// is when new work stops (End - cutoff).
	Start, End, Cutoff time.Time
	// Location is the window's time zone.
	Location *time.Location
	// Policies and Hosts are the client's policies and hosts the window
	// governs.
	Policies, Hosts []string
	// Expected is what the plan at Start would install.
	Expected []Install
	// Errors are host plan errors at Start (no inventory, …): the
	// expectation is incomplete for those hosts.
	Errors []string
	// Held are the freezes that hold some of Hosts at Start, as the plan
	// at Start says (policies that are emergency ones are not held).
	Held []Hold
}

// HeldAll reports whether freezes hold every one of the opening's hosts
// (so nothing at all is expected in it).
func (op Opening) HeldAll() bool {
	held := map[string]bool{}
	for _, h := range op.Held {
		for _, name := range h.Hosts {
			held[name] = true
		}
	}
	return len(held) > 0 && len(held) == len(op.Hosts) && len(op.Expected) == 0
}

// Install is one expected change.
type Install struct {
	Host, Provider, Policy string
	Action                 model.Action
}

// PlanAt makes the plan as of an instant (engine.Plan with the offline
// inventory, as tend plan --at).
type PlanAt func(at time.Time) (*model.Plan, error)

// Options select what the calendar holds.
type Options struct {
	From time.Time
	// Count is the number of openings per window (default 3).
	Count int
	// Client, when set, keeps only that client's hosts.
	Client string
}

// Build lists the next Count openings of each window a policy uses, from
// From, for each client whose hosts the window governs, with what the plan
// at each opening's start expects to install there.
func Build(cfg *config.Config, plan PlanAt, o Options) (*Calendar, error) {
	o.Count = cmp.Or(o.Count, 3)
	clientOf := cfg.HostLabels("client")
	// window -> client -> policies/hosts
	type scope struct{ policies, hosts map[string]bool }
	scopes := map[string]map[string]*scope{}
	for _, p := range cfg.Policies {
		for _, ref := range p.Windows { // each of a policy's windows lets it act
			if cfg.Windows[ref.Name] == nil || cfg.Windows[ref.Name].Schedule == nil {
				continue
			}
			for _, h := range p.Hosts {
				c := clientOf[h]
				if o.Client != "" && c != o.Client {
					continue
				}
				w := ref.Name
				if scopes[w] == nil {
					scopes[w] = map[string]*scope{}
				}
				if scopes[w][c] == nil {
					scopes[w][c] = &scope{map[string]bool{}, map[string]bool{}}
				}
				scopes[w][c].policies[p.Name], scopes[w][c].hosts[h] = true, true
			}
		}
	}
	plans := map[time.Time]*model.Plan{}
	byClient := map[string][]Opening{}
	for _, w := range slices.Sorted(maps.Keys(scopes)) {
		sw := cfg.Windows[w].Schedule
		for _, start := range starts(sw, o.From, o.Count) {
			pl, ok := plans[start]
			if !ok {
				var err error
				if pl, err = plan(start); err != nil {
					return nil, err
				}
				plans[start] = pl
			}
			for c, sc := range scopes[w] {
				op := Opening{Window: w, Start: start, End: start.Add(sw.Duration), Cutoff: start.Add(sw.Duration - sw.Cutoff),
					Location: sw.Location, Policies: slices.Sorted(maps.Keys(sc.policies)), Hosts: slices.Sorted(maps.Keys(sc.hosts))}
				op.expect(pl, sc.policies, sc.hosts)
				byClient[c] = append(byClient[c], op)
			}
		}
	}
	cal := &Calendar{From: o.From}
	names := slices.Sorted(maps.Keys(byClient))
	if len(names) > 0 && names[0] == NoClient { // hosts without a client last
		names = append(names[1:], NoClient)
	}
	for _, c := range names {
		ops := byClient[c]
		slices.SortStableFunc(ops, func(a, b Opening) int {
			return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Window, b.Window))
		})
		hosts := map[string]bool{}
		for _, sc := range scopes {
			if sc[c] != nil {
				maps.Copy(hosts, sc[c].hosts)
			}
		}
		cal.Clients = append(cal.Clients, Client{Name: c, Openings: ops, Freezes: freezesOf(cfg, hosts, o.From, o.Count)})
	}
	return cal, nil
}

// freezesOf lists the spans of freezes that cover some of hosts and end
// after from, by start (then name): a recurring freeze's next count.
func freezesOf(cfg *config.Config, hosts map[string]bool, from time.Time, count int) []Freeze {
	var out []Freeze
	for _, name := range slices.Sorted(maps.Keys(cfg.Freezes)) {
		f := cfg.Freezes[name]
		var covered []string
		for _, h := range slices.Sorted(maps.Keys(hosts)) {
			if f.Covers(h) {
				covered = append(covered, h)
			}
		}
		if len(covered) == 0 {
			continue
		}
		loc := time.UTC
		if f.Schedule != nil && f.Schedule.Location != nil {
			loc = f.Schedule.Location
		}
		t := from
		for range count {
			start, end, ok := f.NextSpan(t)
			if !ok {
				break
			}
			out = append(out, Freeze{Name: f.Name, Reason: f.Reason, Start: start, End: end, UntilText: f.UntilAt(start), Location: loc, Hosts: covered})
			if f.Schedule == nil {
				break
			}
			t = end
		}
	}
	slices.SortStableFunc(out, func(a, b Freeze) int { return a.Start.Compare(b.Start) })
	return out
}

// expect fills in what the plan at the opening's start installs on the
// opening's hosts under its policies.
func (op *Opening) expect(pl *model.Plan, policies, hosts map[string]bool) {
	for _, hp := range pl.Hosts {
		if !hosts[hp.Host] || !policies[hp.Policy] {
			continue
		}
		for _, e := range hp.Errors {
			op.Errors = append(op.Errors, hp.Host+": "+e)
		}
		if hp.Freeze != nil {
			op.hold(hp.Freeze.Name, hp.Freeze.Reason, hp.Host)
		}
		for _, a := range hp.Actions {
			op.Expected = append(op.Expected, Install{Host: hp.Host, Provider: hp.Provider, Policy: hp.Policy, Action: a})
		}
	}
}

// hold records that freeze holds host at the opening's start.
func (op *Opening) hold(freeze, reason, host string) {
	i := slices.IndexFunc(op.Held, func(h Hold) bool { return h.Freeze == freeze })
	if i < 0 {
		op.Held = append(op.Held, Hold{Freeze: freeze, Reason: reason})
		i = len(op.Held) - 1
	}
	if !slices.Contains(op.Held[i].Hosts, host) {
		op.Held[i].Hosts = append(op.Held[i].Hosts, host)
		slices.Sort(op.Held[i].Hosts)
	}
}

// starts returns the next n opening starts of w whose usable part is after
// from: the one open at from (if any) first.
func starts(sw *schedule.Window, from time.Time, n int) []time.Time {
	var out []time.Time
	t := from
	for len(out) < n {
		st := sw.State(t)
		var s time.Time
		switch {
		case st.Open:
			s = st.OpenedAt
		case st.NextOpen.IsZero():
			return out
		default:
			s = st.NextOpen
		}
		out = append(out, s)
		t = s.Add(sw.Duration - sw.Cutoff)
	}
	return out
}
