package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"
)

// PlanFormatVersion is the format_version of the plan JSON contract.
const PlanFormatVersion = "1"

// Action types, as they appear in plan JSON.
const (
	ActionInstall   = "install"
	ActionUpgrade   = "upgrade"
	ActionDowngrade = "downgrade"
	ActionRemove    = "remove"
	ActionHold      = "hold"
	ActionUnhold    = "unhold"
	ActionReboot    = "reboot"
)

// Host reboot decisions, as they appear in plan JSON.
const (
	RebootNone       = "none"       // nothing asks for a reboot
	RebootPlanned    = "planned"    // a reboot action is in Actions
	RebootDeferred   = "deferred"   // a reboot is due but waits (window, ring)
	RebootSuppressed = "suppressed" // needed, but the policy says reboot = "never"
)

// Plan is the result of planning: per host and provider, what to do now,
// what waits and what is left alone.
type Plan struct {
	FormatVersion string        `json:"format_version"`
	GeneratedAt   time.Time     `json:"generated_at"`
	Config        PlanConfig    `json:"config"`
	Inventory     PlanInventory `json:"inventory"`
	Hosts         []HostPlan    `json:"hosts"`
	Summary       Summary       `json:"summary"`
	// Feeds are the vulnerability feeds the plan matched against, and how
	// fresh they were; absent without feeds.
	Feeds []FeedInfo `json:"feeds,omitempty"`
	// Ungoverned are the hosts, or a host's providers, that no policy
	// targets: declared hosts no policy names, and providers a host's
	// snapshot has that no policy of the host uses. Sorted by host and
	// provider; omitted when empty.
	Ungoverned []Ungoverned `json:"ungoverned,omitempty"`
}

// Ungoverned is a host, or one provider of it, that no policy targets.
// Provider is empty when no policy targets the host at all and its
// snapshot (if any) names no provider.
type Ungoverned struct {
	Host     string `json:"host"`
	Provider string `json:"provider"`
	// Reason says why, for people.
	Reason string `json:"reason"`
}

// PlanConfig identifies the configuration a plan was made from.
type PlanConfig struct {
	Dir    string `json:"dir"`
	Commit string `json:"commit"`
	// Uncommitted is set when the work tree below Dir differs from Commit
	// (uncommitted or untracked changes): the plan is not that commit's.
	// Omitted when false.
	Uncommitted bool `json:"uncommitted,omitempty"`
}

// PlanInventory says where the inventory came from: "live", "git:REF" or
// "dir:PATH".
type PlanInventory struct {
	Source string `json:"source"`
}

// HostPlan is the plan for one host and one provider.
type HostPlan struct {
	Host      string      `json:"host"`
	Provider  string      `json:"provider"`
	Policy    string      `json:"policy"`
	Ring      string      `json:"ring"`
	Window    *WindowInfo `json:"window"`
	ScannedAt *time.Time  `json:"scanned_at"`
	Actions   []Action    `json:"actions"`
	Deferred  []Deferred  `json:"deferred"`
	Skipped   []Skipped   `json:"skipped"`
	Reboot    string      `json:"reboot"`
	// Errors are problems that stop part of this host's plan (a pin to a
	// version its sources do not offer, no inventory). They never stop the
	// plan of other hosts.
	Errors []string `json:"errors,omitempty"`
	// Named are the packages the policy names (pins, approve blocks'
	// packages) that Actions, Deferred and Skipped leave out, for
	// compliance; sorted by package. Not in plan JSON.
	Named []NamedPackage `json:"-"`
	// Transaction is what the package manager would do for Actions, and
	// whether the policy lets it (nil when there are no package actions).
	Transaction *Transaction `json:"transaction,omitempty"`
	// OpenVulns are CVEs in installed packages that no available update
	// fixes yet (from the feeds), sorted by package and CVE.
	OpenVulns []OpenVuln `json:"open_vulns,omitempty"`
	// Overdue are the policy's remediation deadlines this host has
	// missed: a CVE still open (fixable or not) past its deadline.
	Overdue []Overdue `json:"overdue,omitempty"`
	// Freeze is the freeze that holds the host at plan time, nil when none
	// does (or the policy is an emergency one, which freezes do not hold).
	Freeze *FreezeInfo `json:"freeze,omitempty"`
	// Suspended is the suspension of the policy or the host in force at
	// plan time, nil when there is none.
	Suspended *SuspendInfo `json:"suspended,omitempty"`
}

// FreezeInfo is a freeze in force: nothing but emergency policies act on
// the host from From until Until.
type FreezeInfo struct {
	Name   string    `json:"name"`
	From   time.Time `json:"from"`
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
}

// SuspendInfo is a suspension in force: nothing is applied to the host
// until Until. Of is "policy" or "host", whichever block says so (the
// policy's when both do).
type SuspendInfo struct {
	Of     string    `json:"of"`
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
}

// WindowInfo is the state of a host's maintenance window at plan time.
// NextOpen is the start of the current opening when Open, else of the next.
type WindowInfo struct {
	Name     string     `json:"name"`
	Open     bool       `json:"open"`
	NextOpen *time.Time `json:"next_open"`
	ClosesAt *time.Time `json:"closes_at,omitempty"`
	// Ignored is set when the policy is an emergency one: its actions do
	// not wait for the window. Omitted when false.
	Ignored bool `json:"ignored,omitempty"`
}

// Action is one change tend will make now.
type Action struct {
	ID             string   `json:"id"`
	Type           string   `json:"type"`
	Package        string   `json:"package"`
	From           string   `json:"from"`
	To             string   `json:"to"`
	Classification string   `json:"classification"`
	Severity       string   `json:"severity"`
	CVEs           []string `json:"cves"`
	KB             string   `json:"kb"`
	RebootRequired bool     `json:"reboot_required"`
	Reason         string   `json:"reason"`
	// Title is the update's title where its source gives one (Windows
	// Update, winget); omitted when empty.
	Title string `json:"title,omitempty"`
	// Vulns are the feeds' facts on CVEs, in the order of CVEs (only
	// those the feeds know); absent without feeds.
	Vulns []Vuln `json:"vulns,omitempty"`
	// FastLane names the fast lane that let the action skip the window
	// and the soak, e.g. "fast_lane: kev"; empty otherwise.
	FastLane string `json:"fast_lane,omitempty"`
}

// Deferred is an approved change that waits; Until is when it becomes due,
// nil when that depends on something tend cannot predict (an earlier ring).
type Deferred struct {
	Package string     `json:"package"`
	To      string     `json:"to"`
	Until   *time.Time `json:"until"`
	Reason  string     `json:"reason"`
	// Vulns are the feeds' facts on the CVEs the update fixes.
	Vulns []Vuln `json:"vulns,omitempty"`
	// Cause is what holds the change, for compliance: DeferDelay while the
	// approval delay has not passed (the update is not required yet, whatever
	// else waits after it), else DeferRing or DeferWindow. Not in plan JSON.
	Cause string `json:"-"`
}

// Skipped is an update tend will not install, with the reason.
type Skipped struct {
	Package string `json:"package"`
	To      string `json:"to"`
	Reason  string `json:"reason"`
	// Vulns are the feeds' facts on the CVEs the update would fix.
	Vulns []Vuln `json:"vulns,omitempty"`
}

// Summary counts what a plan does.
type Summary struct {
	Hosts            int          `json:"hosts"`
	HostsWithChanges int          `json:"hosts_with_changes"`
	Actions          ActionCounts `json:"actions"`
	Deferred         int          `json:"deferred"`
	Skipped          int          `json:"skipped"`
}

// ActionCounts counts actions by type.
type ActionCounts map[string]int

// SummaryActions are the action types summary.actions always lists, in the
// plan JSON contract's order.
var SummaryActions = []string{ActionInstall, ActionUpgrade, ActionDowngrade, ActionRemove, ActionHold, ActionReboot}

// Summarize counts host plans' actions, deferred and skipped updates;
// hosts are counted once however many providers they have.
func Summarize(hosts []HostPlan) Summary {
	s := Summary{Actions: ActionCounts{}}
	for _, k := range SummaryActions {
		s.Actions[k] = 0
	}
	all, changed := map[string]bool{}, map[string]bool{}
	for _, h := range hosts {
		all[h.Host] = true
		if len(h.Actions) > 0 {
			changed[h.Host] = true
		}
		for _, a := range h.Actions {
			s.Actions[a.Type]++
		}
		s.Deferred += len(h.Deferred)
		s.Skipped += len(h.Skipped)
	}
	s.Hosts, s.HostsWithChanges = len(all), len(changed)
	return s
}

// MarshalJSON writes the counts in the contract's key order (install,
// upgrade, downgrade, remove, hold, reboot), then any others sorted.
func (c ActionCounts) MarshalJSON() ([]byte, error) {
	if c == nil {
		return []byte("null"), nil
	}
	keys := make([]string, 0, len(c))
	for _, k := range SummaryActions {
		if _, ok := c[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range c {
		if !slices.Contains(SummaryActions, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range append(keys, rest...) {
		if i > 0 {
			b.WriteByte(',')
		}
		name, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s:%d", name, c[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// HasChanges reports whether the plan would change any host now.
func (p *Plan) HasChanges() bool { return p.Summary.HostsWithChanges > 0 }

// HostsWithErrors counts the hosts with errors in their plan (HostPlan.Errors),
// each host once however many providers it has.
func (p *Plan) HostsWithErrors() int {
	hosts := map[string]bool{}
	for _, h := range p.Hosts {
		if len(h.Errors) > 0 {
			hosts[h.Host] = true
		}
	}
	return len(hosts)
}

// Narrow keeps the host plans and ungoverned entries of the hosts keep
// selects, and counts the summary again.
func (p *Plan) Narrow(keep func(host string) bool) {
	hosts := p.Hosts[:0:0]
	for _, h := range p.Hosts {
		if keep(h.Host) {
			hosts = append(hosts, h)
		}
	}
	var ung []Ungoverned
	for _, u := range p.Ungoverned {
		if keep(u.Host) {
			ung = append(ung, u)
		}
	}
	p.Hosts, p.Ungoverned = hosts, ung
	p.Summary = Summarize(p.Hosts)
}
