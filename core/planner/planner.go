package planner

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/hostmatch"
	"github.com/tend-sh/tend/core/model"
)

// Input is everything a plan depends on.
type Input struct {
	Config *config.Config
	// Inventory holds the last scan of each host, by host name. A host
	// without one is planned with an error, not dropped.
	Inventory map[string]*model.Snapshot
	// Snapshots, when set, is used instead of Inventory: the planner asks
	// for each host's snapshot (nil: none) as it plans the host, in the
	// order Order returns, and keeps of it only what later rings need (the
	// name@version installed in earlier rings), so a fleet can stream
	// through the planner. Plan does not call it concurrently.
	Snapshots func(host string) *model.Snapshot
	// Now is the instant the plan is made for.
	Now time.Time
	// History is what earlier reconciles recorded; the zero value is fine.
	History History
	// Hosts narrows the plan to the hosts these globs match (--hosts):
	// every host is planned (rings need the others), but the plan, the
	// ungoverned hosts and the per-host warnings keep only these. Empty
	// keeps all.
	Hosts hostmatch.Patterns
	// StaleAfter, when positive, warns about every snapshot scanned more
	// than this before Now.
	StaleAfter time.Duration

	// Vulns are the vulnerability feeds' facts by CVE ID (core/vuln), for
	// approve, fast_lane and deadline blocks and to show with actions; nil
	// without feeds.
	Vulns map[string]model.Vuln

	// Reuse, when set, is asked for what an earlier plan from the same
	// inputs gave a host no later ring looks at (Reused), before the host
	// is planned under policy; nil plans it. The caller vouches that
	// everything else the host's plan depends on is the same (its
	// snapshot, the configuration, Now, History's entries for it, Vulns,
	// InventorySource); the planner checks the earlier rings. Input.Snapshots
	// is not asked for a host reused.
	Reuse func(host, policy string) *Reused
	// Planned, when set, is told what planning such a host afresh gave,
	// for a later plan to reuse.
	Planned func(host string, r *Reused)

	// ConfigCommit and InventorySource are recorded in the plan as given.
	ConfigCommit    string
	InventorySource string
}

// History carries facts earlier runs recorded in the reports branch.
type History struct {
	// FirstSeen is when an update without released_at was first seen on a
	// host; approval delays count from it. Missing entries count from the
	// snapshot's scanned_at.
	FirstSeen map[UpdateKey]time.Time
	// RingDone is when every host of a ring had an update installed; soak
	// counts from it. Missing entries count from the latest scan that saw the
	// ring's hosts with the update installed.
	RingDone map[RingKey]time.Time
}

// UpdateKey names one update on one host.
type UpdateKey struct{ Host, Provider, Package, To string }

// RingKey names one update in one ring of a policy.
type RingKey struct{ Policy, Ring, Package, To string }

// Plan computes the plan and the warnings found on the way. It assumes a
// configuration without errors.
func Plan(in Input) (*model.Plan, []model.Warning) {
	now := in.Now.UTC()
	pl := &model.Plan{
		FormatVersion: model.PlanFormatVersion,
		GeneratedAt:   now,
		Config:        model.PlanConfig{Dir: in.Config.Dir, Commit: in.ConfigCommit},
		Inventory:     model.PlanInventory{Source: in.InventorySource},
		Hosts:         []model.HostPlan{},
	}
	var warns warnings
	for _, name := range sortedKeys(in.Config.Policies) {
		pp := newPolicyPlan(in, in.Config.Policies[name], now, &warns)
		pl.Hosts = append(pl.Hosts, pp.plan()...)
	}
	sort.SliceStable(pl.Hosts, func(i, j int) bool {
		a, b := pl.Hosts[i], pl.Hosts[j]
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.Provider < b.Provider
	})
	pl.Summary = model.Summarize(pl.Hosts)
	if in.Snapshots == nil {
		addCoverage(in, now, pl, &warns)
	}
	return pl, warns.sorted()
}

// Coverage completes a plan made from Input.Snapshots once every snapshot
// was read (inv: by host, their installed lists may be left out): the
// ungoverned hosts, the stale snapshots' warnings and the --hosts
// narrowing, which Plan leaves to it. It returns warns with the new
// warnings, sorted.
func Coverage(in Input, pl *model.Plan, inv map[string]*model.Snapshot, warns []model.Warning) []model.Warning {
	in.Inventory = inv
	var w warnings
	for _, x := range warns {
		w.add(x.Where, "%s", x.Message)
	}
	addCoverage(in, in.Now.UTC(), pl, &w)
	return w.sorted()
}

func addCoverage(in Input, now time.Time, pl *model.Plan, warns *warnings) {
	pl.Ungoverned = coverage(in, warns)
	staleness(in, now, warns)
	if len(in.Hosts) > 0 {
		pl.Narrow(in.Hosts.Match)
	}
}

// Order lists the hosts in the order Plan plans them and asks
// Input.Snapshots for their snapshots: policy by policy, by name, and in
// each policy ring by ring. A host of several policies is listed once per
// policy.
func Order(cfg *config.Config) []string {
	var out []string
	for _, name := range sortedKeys(cfg.Policies) {
		p := cfg.Policies[name]
		out = append(out, newRings(p).sorted(p.Hosts)...)
	}
	return out
}

// warnings collects warnings once each.
type warnings struct {
	list []model.Warning
	seen map[model.Warning]bool
	// rec, when set, records every warning added (planOrReuse).
	rec *recording
}

func (w *warnings) add(where, format string, args ...any) {
	wr := model.Warning{Where: where, Message: fmt.Sprintf(format, args...)}
	if w.rec != nil {
		w.rec.warns = append(w.rec.warns, wr)
	}
	if w.seen == nil {
		w.seen = map[model.Warning]bool{}
	}
	if !w.seen[wr] {
		w.seen[wr] = true
		w.list = append(w.list, wr)
	}
}

func (w *warnings) sorted() []model.Warning {
	out := append([]model.Warning{}, w.list...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Where != out[j].Where {
			return out[i].Where < out[j].Where
		}
		return out[i].Message < out[j].Message
	})
	return out
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// day formats an instant as a UTC date for reasons.
func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// stamp formats an instant for reasons.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
