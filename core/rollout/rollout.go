package rollout

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
)

// FormatVersion is the format_version of rollouts/<policy>.json.
const FormatVersion = "1"

// Retention is how long an update every ring finished stays in the file.
const Retention = 30 * 24 * time.Hour

// State is a policy's rollout: the file rollouts/<policy>.json.
type State struct {
	FormatVersion string    `json:"format_version"`
	Policy        string    `json:"policy"`
	ConfigCommit  string    `json:"config_commit"`
	UpdatedAt     time.Time `json:"updated_at"`
	// Halted is set while the rollout is stopped after too many failures.
	Halted *Halt  `json:"halted"`
	Rings  []Ring `json:"rings"`
	// FirstSeen records, for updates without a release date, the first
	// scan that saw them on a host.
	FirstSeen []Seen `json:"first_seen"`
}

// Halt says why and when a rollout stopped. It holds until a new
// configuration commit arrives.
type Halt struct {
	At           time.Time `json:"at"`
	ConfigCommit string    `json:"config_commit"`
	Reason       string    `json:"reason"`
	FailedHosts  []string  `json:"failed_hosts"`
}

// Ring is one ring's progress, update by update.
type Ring struct {
	Name    string   `json:"name"`
	Hosts   []string `json:"hosts"`
	Updates []Update `json:"updates"`
}

// Update is one update's progress in a ring: how many of the ring's hosts
// still need it, and when none did any more.
type Update struct {
	Package string     `json:"package"`
	To      string     `json:"to"`
	Pending int        `json:"pending"`
	DoneAt  *time.Time `json:"done_at"`
}

// Seen is when an update was first seen on a host.
type Seen struct {
	Host     string    `json:"host"`
	Provider string    `json:"provider"`
	Package  string    `json:"package"`
	To       string    `json:"to"`
	At       time.Time `json:"at"`
}

// Input is what one reconcile planned and did for a policy.
type Input struct {
	Policy       string
	ConfigCommit string
	// Rings are the policy's ring names in rollout order (none: no rings).
	Rings []string
	// Before is the plan the reconcile applied; After the plan made from
	// the scan after the apply (the same plan when nothing was applied).
	Before, After *model.Plan
	// Inventory is the latest scan of each host, by host name.
	Inventory map[string]*model.Snapshot
	// Halted is set when this reconcile's apply halted the rollout.
	Halted      bool
	FailedHosts []string
	MaxFailures string // for the halt reason, e.g. "1" or "10%"
	Now         time.Time
}

// Next returns the policy's rollout state after a reconcile. prev may be
// nil (no earlier state).
func Next(prev *State, in Input) *State {
	now := in.Now.UTC()
	s := &State{FormatVersion: FormatVersion, Policy: in.Policy, ConfigCommit: in.ConfigCommit, UpdatedAt: now,
		Rings: []Ring{}, FirstSeen: []Seen{}}
	if prev == nil {
		prev = &State{}
	}
	switch {
	case in.Halted:
		s.Halted = &Halt{At: now, ConfigCommit: in.ConfigCommit, FailedHosts: nonNil(in.FailedHosts),
			Reason: fmt.Sprintf("more than max_failures (%s) hosts failed", in.MaxFailures)}
	case prev.Halted != nil && prev.Halted.ConfigCommit == in.ConfigCommit:
		s.Halted = prev.Halted
	}
	s.Rings = rings(prev, in, now)
	s.FirstSeen = firstSeen(prev, in, now)
	return s
}

// needs counts, per ring and update, the policy's hosts in plan p that
// still need it (an action, or deferred for a window or ring), and lists
// each ring's hosts.
func needs(p *model.Plan, policy string) (pending map[string]map[[2]string]int, hosts map[string][]string) {
	pending, hosts = map[string]map[[2]string]int{}, map[string][]string{}
	if p == nil {
		return pending, hosts
	}
	for _, h := range p.Hosts {
		if h.Policy != policy || h.Ring == "" {
			continue
		}
		hosts[h.Ring] = append(hosts[h.Ring], h.Host)
		m := pending[h.Ring]
		if m == nil {
			m = map[[2]string]int{}
			pending[h.Ring] = m
		}
		for _, a := range h.Actions {
			if a.Type != model.ActionReboot && a.Type != model.ActionHold && a.Type != model.ActionUnhold {
				m[[2]string{a.Package, a.To}]++
			}
		}
		for _, d := range h.Deferred {
			if d.Cause != model.DeferDelay {
				m[[2]string{d.Package, d.To}]++
			}
		}
	}
	return pending, hosts
}

func rings(prev *State, in Input, now time.Time) []Ring {
	before, _ := needs(in.Before, in.Policy)
	after, hosts := needs(in.After, in.Policy)
	old := map[string]map[[2]string]Update{}
	for _, r := range prev.Rings {
		old[r.Name] = map[[2]string]Update{}
		for _, u := range r.Updates {
			old[r.Name][[2]string{u.Package, u.To}] = u
		}
	}
	out := []Ring{}
	for _, name := range in.Rings {
		known := map[[2]string]bool{}
		for k := range old[name] {
			known[k] = true
		}
		for k := range before[name] {
			known[k] = true
		}
		for k := range after[name] {
			known[k] = true
		}
		r := Ring{Name: name, Hosts: nonNil(slices.Sorted(slices.Values(hosts[name]))), Updates: []Update{}}
		for _, k := range slices.SortedFunc(maps.Keys(known), func(a, b [2]string) int {
			return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
		}) {
			u := Update{Package: k[0], To: k[1], Pending: after[name][k]}
			if o, ok := old[name][k]; ok {
				u.DoneAt = o.DoneAt
			}
			if u.Pending == 0 && u.DoneAt == nil {
				t := now
				u.DoneAt = &t
			}
			if u.Pending > 0 {
				u.DoneAt = nil
			}
			r.Updates = append(r.Updates, u)
		}
		out = append(out, r)
	}
	// Forget updates every ring finished long ago.
	expired := map[[2]string]bool{}
	for _, r := range out {
		for _, u := range r.Updates {
			expired[[2]string{u.Package, u.To}] = true
		}
	}
	for _, r := range out {
		for _, u := range r.Updates {
			if u.DoneAt == nil || now.Sub(*u.DoneAt) < Retention {
				expired[[2]string{u.Package, u.To}] = false
			}
		}
	}
	for i := range out {
		out[i].Updates = slices.DeleteFunc(out[i].Updates, func(u Update) bool { return expired[[2]string{u.Package, u.To}] })
	}
	return out
}

// firstSeen keeps the first-seen times of the updates the policy's hosts
// offer (see FirstSeen).
func firstSeen(prev *State, in Input, now time.Time) []Seen {
	if in.After == nil {
		return []Seen{}
	}
	var hosts []model.HostPlan
	for _, h := range in.After.Hosts {
		if h.Policy == in.Policy {
			hosts = append(hosts, h)
		}
	}
	return FirstSeen(prev.FirstSeen, hosts, in.Inventory, now)
}

// FirstSeen returns, for every update without a release date that the scan
// in inv of a host of hosts (a plan's host entries) still offers, the
// earliest scan that saw it: its time in prev, else this scan's. A host
// entry without a scan (it failed) keeps its entries in prev; entries of
// other hosts and of updates no longer offered are dropped. A time after
// now (a clock that jumped forward, then back) is recorded as now: kept as
// it was, it would hold the update's approval delay for as long as the
// jump. The result is sorted by host, provider, package and version.
// tend serve keeps it per policy on the reports branch, CLI runs in the
// configuration's .tend/state.
func FirstSeen(prev []Seen, hosts []model.HostPlan, inv map[string]*model.Snapshot, now time.Time) []Seen {
	old := map[planner.UpdateKey]time.Time{}
	for _, s := range prev {
		old[s.key()] = s.At
	}
	out := []Seen{}
	recorded := map[planner.UpdateKey]bool{}
	add := func(k planner.UpdateKey, at time.Time) {
		if recorded[k] {
			return // listed twice
		}
		recorded[k] = true
		if at.After(now) {
			at = now
		}
		out = append(out, Seen{Host: k.Host, Provider: k.Provider, Package: k.Package, To: k.To, At: at})
	}
	for _, h := range hosts {
		var pi *model.ProviderInventory
		snap := inv[h.Host]
		if snap != nil {
			pi = snap.Providers[h.Provider]
		}
		if pi == nil { // not scanned this time: nothing is known to be gone
			for _, s := range prev {
				if s.Host == h.Host && s.Provider == h.Provider {
					add(s.key(), s.At)
				}
			}
			continue
		}
		for _, u := range pi.Available {
			if !u.ReleasedAt.IsZero() {
				continue
			}
			k := planner.UpdateKey{Host: h.Host, Provider: h.Provider, Package: u.Name, To: u.To}
			at, ok := old[k]
			if !ok {
				at = snap.ScannedAt.UTC()
			}
			add(k, at)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		return a.To < b.To
	})
	return out
}

func (s Seen) key() planner.UpdateKey {
	return planner.UpdateKey{Host: s.Host, Provider: s.Provider, Package: s.Package, To: s.To}
}

// History turns the rollout states of every policy into what the planner
// needs from earlier reconciles.
func History(states map[string]*State) planner.History {
	h := planner.History{FirstSeen: map[planner.UpdateKey]time.Time{}, RingDone: map[planner.RingKey]time.Time{}}
	for _, s := range states {
		for _, r := range s.Rings {
			for _, u := range r.Updates {
				if u.DoneAt != nil {
					h.RingDone[planner.RingKey{Policy: s.Policy, Ring: r.Name, Package: u.Package, To: u.To}] = *u.DoneAt
				}
			}
		}
		for _, f := range s.FirstSeen {
			// Policies sharing a host may disagree: the earliest wins.
			if at, ok := h.FirstSeen[f.key()]; !ok || f.At.Before(at) {
				h.FirstSeen[f.key()] = f.At
			}
		}
	}
	return h
}

// HaltedNow reports whether the policy's rollout is halted for the given
// configuration commit.
func (s *State) HaltedNow(configCommit string) bool {
	return s != nil && s.Halted != nil && s.Halted.ConfigCommit == configCommit
}

// Parse reads a rollouts/<policy>.json file.
func Parse(data []byte) (*State, error) {
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("rollout state: %w", err)
	}
	if s.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("rollout state: format_version %q, want %q", s.FormatVersion, FormatVersion)
	}
	return &s, nil
}

// Encode renders the state as indented JSON with a final newline.
func Encode(s *State) ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
