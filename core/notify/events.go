package notify

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

// Input is what a finished reconcile knows, for Events.
type Input struct {
	// Config is the configuration that governed; ConfigCommit its commit.
	Config       *config.Config
	ConfigCommit string
	// Rejected is set when the head commit's configuration was not applied.
	Rejected *Rejection
	// Reports are the hosts' compliance reports, by host; Summary the
	// fleet's.
	Reports map[string]*model.Report
	Summary *model.FleetSummary
	// ScanErrors are the hosts this reconcile could not scan.
	ScanErrors map[string]error
	// Expiring are further things that end soon (a policy's or host's
	// suspend): each becomes a suspend_expiring event.
	Expiring []Expiring
	// Agents are the unmanaged agents and stale agent hosts (agent mode
	// only): each becomes an unmanaged_agent or agent_stale event.
	Agents *model.AgentPresence
	Now    time.Time
}

// Rejection is a head commit whose configuration was rejected.
type Rejection struct {
	Commit, State, Problem string
	Diagnostics            []string
}

// Expiring is something that stops applying at Until: what a
// suspend_expiring event is about. Host or Policy (or both) say whose.
type Expiring struct {
	Host, Policy, Reason string
	Until                time.Time
}

// Events turns what a reconcile knows into the conditions that hold now,
// in a stable order.
func Events(in Input) []Event {
	b := &builder{in: in}
	if r := in.Rejected; r != nil {
		b.add(Event{Kind: KindConfigRejected, Severity: SeverityCritical, Subject: r.Commit,
			Summary: fmt.Sprintf("commit %s was not applied (%s): %s; the last good configuration stays in force", short(r.Commit), r.State, r.Problem),
			Details: r.Diagnostics})
	}
	if in.Summary != nil {
		for _, p := range in.Summary.HaltedRollouts {
			b.add(Event{Kind: KindRolloutHalted, Severity: SeverityCritical, Policy: p, Labels: b.policyLabels(p),
				Summary: fmt.Sprintf("the rollout of policy %s halted after too many failures; it waits for a new commit", p),
				Details: b.policyFailures(p)})
		}
	}
	for _, h := range slices.Sorted(maps.Keys(in.ScanErrors)) {
		// One message while the host keeps failing, whatever each
		// attempt's error says; since says from when.
		details := []string{in.ScanErrors[h].Error()}
		if r := in.Reports[h]; r != nil && r.ScannedAt != nil {
			details = append(details, "last successful scan: "+r.ScannedAt.UTC().Format(time.RFC3339))
		}
		b.add(Event{Kind: KindScanFailed, Severity: SeverityWarning, Host: h, Labels: b.hostLabels(h), State: "failing",
			Summary: fmt.Sprintf("%s could not be scanned", h), Details: details})
	}
	for _, h := range slices.Sorted(maps.Keys(in.Reports)) {
		b.host(in.Reports[h])
	}
	b.stale()
	b.expiring()
	b.agents()
	return b.out
}

// staleNever is the state of a stale event about a host never scanned.
const staleNever = "never scanned"

// stale adds an event for every declared host whose last successful scan
// is older than the lowest stale_after of the sinks, or that was never
// scanned: since is the last scan (the first time seen, for one never
// scanned), and each sink sends it once its own stale_after has passed.
func (b *builder) stale() {
	if b.in.Config == nil || len(b.in.Config.Notify) == 0 {
		return
	}
	least := time.Duration(-1)
	for _, n := range b.in.Config.Notify {
		if least < 0 || n.StaleAfter < least {
			least = n.StaleAfter
		}
	}
	for _, h := range slices.Sorted(maps.Keys(b.in.Config.Hosts)) {
		e := Event{Kind: KindStale, Severity: SeverityWarning, Host: h, Labels: b.hostLabels(h)}
		if r := b.in.Reports[h]; r != nil && r.ScannedAt != nil {
			last := r.ScannedAt.UTC()
			if b.in.Now.Sub(last) < least {
				continue
			}
			e.Since, e.State = &last, last.Format(time.RFC3339)
			e.Summary = fmt.Sprintf("%s has not been scanned since %s", h, last.Format("2006-01-02 15:04 MST"))
		} else {
			e.State = staleNever
			e.Summary = fmt.Sprintf("%s has never been scanned", h)
		}
		if err := b.in.ScanErrors[h]; err != nil {
			e.Details = []string{"last attempt: " + err.Error()}
		}
		b.add(e)
	}
}

type builder struct {
	in  Input
	out []Event
}

func (b *builder) add(e Event) {
	if e.ConfigCommit == "" {
		e.ConfigCommit = b.in.ConfigCommit
	}
	e.At = b.in.Now
	b.out = append(b.out, e)
}

// host adds the conditions of one host's report: its last apply's
// failures, failed health checks and rollbacks, drift and a pending reboot.
func (b *builder) host(r *model.Report) {
	labels := b.hostLabels(r.Host)
	if la := r.LastApply; la != nil {
		var failed, health []string
		for _, a := range la.Results {
			line := a.ActionID + ": " + a.Message
			switch {
			case a.Status == model.StatusRolledBack || (a.Status == model.StatusFailed && strings.HasSuffix(a.ActionID, "/health_check")):
				health = append(health, line)
			case a.Status == model.StatusFailed || a.Status == model.StatusInterrupted:
				failed = append(failed, line)
			}
		}
		state := la.StartedAt.UTC().Format(time.RFC3339)
		if len(failed) > 0 {
			b.add(Event{Kind: KindApplyFailed, Severity: SeverityCritical, Host: r.Host, Labels: labels, State: state + strings.Join(failed, "\n"),
				Summary: fmt.Sprintf("%d %s failed on %s", len(failed), plural(len(failed), "action", "actions"), r.Host), Details: failed})
		}
		if len(health) > 0 {
			b.add(Event{Kind: KindHealthCheckFailed, Severity: SeverityCritical, Host: r.Host, Labels: labels, State: state + strings.Join(health, "\n"),
				Summary: fmt.Sprintf("%s failed its health check after an apply", r.Host), Details: health})
		}
	}
	pins := b.pins(r.Host)
	var drift []string
	reboot := false
	for _, it := range r.Items {
		switch {
		case it.Package == model.RebootItem:
			reboot = true
		case it.State == model.ItemInstalledRejected:
			drift = append(drift, fmt.Sprintf("%s %s is installed, and the policy rejects it", it.Package, it.Installed))
		case pins[it.Provider+"/"+it.Package] != "" && it.Installed != "" && it.Installed != pins[it.Provider+"/"+it.Package]:
			drift = append(drift, fmt.Sprintf("%s is at %s, pinned to %s", it.Package, it.Installed, pins[it.Provider+"/"+it.Package]))
		}
	}
	if len(drift) > 0 {
		b.add(Event{Kind: KindDrift, Severity: SeverityWarning, Host: r.Host, Labels: labels,
			Summary: fmt.Sprintf("%s drifted from its policy", r.Host), Details: drift})
	}
	if reboot || (b.in.Summary != nil && slices.Contains(b.in.Summary.PendingReboots, r.Host)) {
		b.add(Event{Kind: KindRebootPending, Severity: SeverityWarning, Host: r.Host, Labels: labels,
			Summary: fmt.Sprintf("%s waits for a reboot", r.Host)})
	}
}

// expiring adds an event for every exclusion and suspend that has not
// ended yet; each sink's expiring_within picks the close ones.
func (b *builder) expiring() {
	cfg := b.in.Config
	if cfg == nil {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Policies)) {
		p := cfg.Policies[name]
		for i, e := range p.Exclude {
			if e.Until == nil || !b.in.Now.Before(*e.Until) {
				continue
			}
			until := *e.Until
			b.add(Event{Kind: KindExclusionExpiring, Severity: SeverityInfo, Policy: p.Name, Subject: fmt.Sprint(i),
				Labels: b.policyLabels(p.Name), Until: &until,
				Summary: fmt.Sprintf("an exclusion of policy %s ends on %s (%s)", p.Name, e.UntilText, e.Reason),
				Details: []string{"packages: " + patterns(e)}})
		}
	}
	for i, x := range b.in.Expiring {
		until := x.Until
		labels := b.hostLabels(x.Host)
		if x.Host == "" {
			labels = b.policyLabels(x.Policy)
		}
		b.add(Event{Kind: KindSuspendExpiring, Severity: SeverityInfo, Host: x.Host, Policy: x.Policy, Subject: fmt.Sprint(i),
			Labels: labels, Until: &until, Summary: fmt.Sprintf("a suspend ends on %s (%s)", until.UTC().Format("2006-01-02"), x.Reason)})
	}
}

func patterns(e *config.Exclude) string {
	var s []string
	for _, p := range e.Packages {
		s = append(s, p.Glob)
	}
	return strings.Join(s, ", ")
}

// hostLabels are the host's labels, nil for an unknown host.
func (b *builder) hostLabels(host string) map[string]string {
	if b.in.Config == nil {
		return nil
	}
	if h := b.in.Config.Hosts[host]; h != nil {
		return h.Labels
	}
	return nil
}

// policyLabels are the labels every host of the policy has with the same
// value.
func (b *builder) policyLabels(policy string) map[string]string {
	if b.in.Config == nil || b.in.Config.Policies[policy] == nil {
		return nil
	}
	var out map[string]string
	for i, h := range b.in.Config.Policies[policy].Hosts {
		l := b.hostLabels(h)
		if i == 0 {
			out = maps.Clone(l)
			continue
		}
		for k, v := range out {
			if l[k] != v {
				delete(out, k)
			}
		}
	}
	return out
}

// policyFailures lists the failed hosts of a policy's last applies.
func (b *builder) policyFailures(policy string) []string {
	if b.in.Summary == nil || b.in.Config == nil || b.in.Config.Policies[policy] == nil {
		return nil
	}
	hosts := b.in.Config.Policies[policy].Hosts
	var out []string
	for _, f := range b.in.Summary.Failures {
		if slices.Contains(hosts, f.Host) {
			out = append(out, fmt.Sprintf("%s: %s", f.ActionID, f.Message))
		}
	}
	return out
}

// pins maps "provider/package" to its pinned version for the host.
func (b *builder) pins(host string) map[string]string {
	out := map[string]string{}
	if b.in.Config == nil {
		return out
	}
	for _, p := range b.in.Config.Policies {
		if !slices.Contains(p.Hosts, host) {
			continue
		}
		for _, pin := range p.Pin {
			out[p.Provider+"/"+pin.Package] = pin.Version
		}
	}
	return out
}

func short(c string) string {
	if len(c) > 7 {
		return c[:7]
	}
	return c
}
