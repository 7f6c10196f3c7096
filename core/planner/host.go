package planner

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/version"
)

// candidate is an approved change before windows and rings are applied.
type candidate struct {
	u      model.Update
	typ    string
	reason string
	// due is when the approval delay ends; zero when approved now.
	due       time.Time
	dueReason string
}

func (pp *policyPlan) planHost(host string) model.HostPlan {
	p := pp.p
	hp := model.HostPlan{
		Host: host, Provider: p.Provider, Policy: p.Name,
		Window: pp.winInfo, Reboot: model.RebootNone,
		Actions: []model.Action{}, Deferred: []model.Deferred{}, Skipped: []model.Skipped{},
		Freeze: pp.freezeInfo(host), Suspended: pp.suspendInfo(host),
	}
	ring := pp.rings.index(host)
	if ring >= 0 {
		hp.Ring = pp.rings.list[ring].Name
	}
	snap := pp.snapshot(host)
	pp.rings.saw(ring, snap)
	var inv *model.ProviderInventory
	if snap != nil {
		t := snap.ScannedAt
		hp.ScannedAt = &t
		inv = snap.Providers[p.Provider]
	}
	if inv == nil {
		msg := fmt.Sprintf("no %s inventory for this host: %s", p.Provider, missingInventoryHint(pp.in.InventorySource, host))
		if snap == nil {
			msg = "no inventory for this host: " + missingInventoryHint(pp.in.InventorySource, host)
		}
		hp.Errors = append(hp.Errors, msg)
		pp.warns.add("", "host %q: %s", host, msg)
		return hp
	}

	inv = pp.deduplicated(host, inv, &hp)
	cands := pp.candidates(host, snap, inv, &hp)
	if pp.p.Rollout != nil && ring < 0 && !p.Emergency {
		for _, c := range cands {
			hp.Skipped = append(hp.Skipped, model.Skipped{Package: c.u.Name, To: c.u.To,
				Reason: "host is in no ring of the rollout (the rings' percent does not reach 100)"})
		}
		cands = nil
	}
	for i := range cands {
		pp.rings.need(ring, cands[i].u.Name, cands[i].u.To)
	}
	for i := range cands {
		pp.gate(host, ring, &cands[i], &hp)
	}
	pp.skippedVulns(inv, &hp)
	hp.OpenVulns = pp.openVulns(inv)
	hp.Overdue = pp.overdue(host, snap, inv)
	pp.decideReboot(host, inv, &hp)
	hp.Named = pp.named(inv, &hp)
	uniqueIDs(&hp)
	sortHostPlan(&hp)
	return hp
}

// candidates sorts every available update (and every pin) into skipped,
// or approved candidates.
func (pp *policyPlan) candidates(host string, snap *model.Snapshot, inv *model.ProviderInventory, hp *model.HostPlan) []candidate {
	var cands []candidate
	skip := func(pkg, to, reason string) {
		hp.Skipped = append(hp.Skipped, model.Skipped{Package: pkg, To: to, Reason: reason})
	}
	pinned := map[string]bool{}
	updated := map[string]bool{}
	for i := range inv.Available {
		u := &inv.Available[i]
		updated[u.Name] = true
		if why, ok := pp.blocked(host, u.Name, u.To); ok {
			skip(u.Name, u.To, why)
			continue
		}
		if pin, ok := pp.pins[u.Name]; ok {
			if u.To != pin.Version {
				skip(u.Name, u.To, fmt.Sprintf("pinned to %s", pin.Version))
				continue
			}
			pinned[u.Name] = true
			cands = append(cands, candidate{u: *u, typ: updateType(u), reason: pinReason(pin.Package, pin.Version, true)})
			continue
		}
		c, ok := pp.approveUpdate(host, snap, u)
		if !ok {
			skip(u.Name, u.To, "not approved by any approve block")
			continue
		}
		cands = append(cands, c)
	}

	// Pins not reached through an available update, and installed items
	// that the policy rejects, need the installed list: one pass.
	for i := range inv.Installed {
		it := &inv.Installed[i]
		if len(pp.reject) > 0 && !updated[it.Name] {
			if g, ok := firstReject(pp.reject, it.Name, it.Version); ok {
				skip(it.Name, "", fmt.Sprintf("installed version %s matches reject %q", it.Version, g))
			}
		}
		pin, ok := pp.pins[it.Name]
		if !ok || pinned[it.Name] || it.Version == pin.Version {
			continue
		}
		pinned[it.Name] = true
		if why, ok := pp.blocked(host, it.Name, pin.Version); ok {
			skip(it.Name, pin.Version, why)
			continue
		}
		versions, known := inv.Versions[it.Name]
		if known && !containsString(versions, pin.Version) {
			hp.Errors = append(hp.Errors, pinUnoffered(it.Name, pin.Version, versions))
			continue
		}
		cands = append(cands, candidate{
			u:      model.Update{ID: it.ID, Name: it.Name, From: it.Version, To: pin.Version},
			typ:    pp.pinType(host, inv.VersionScheme, it, pin.Version),
			reason: pinReason(it.Name, pin.Version, known),
		})
	}
	return cands
}

// pinType says whether moving installed item it to the pinned version is
// an upgrade or a downgrade, by the provider's version scheme. Only a pin
// the scheme orders before the installed version is a downgrade: where the
// scheme gives no order (opaque versions, or a version the scheme cannot
// read, which it warns about), the change is planned as an upgrade and
// never claims the installed version is newer.
func (pp *policyPlan) pinType(host string, scheme version.Scheme, it *model.Installed, pin string) string {
	c, err := version.Compare(scheme, pin, it.Version)
	switch {
	case err != nil && !errors.Is(err, version.ErrUnordered):
		pp.warns.add("", "host %q: %s pin %s = %s: %v; it is planned as an upgrade from %s", host, pp.p.Provider, it.Name, pin, err, it.Version)
	case err == nil && c < 0:
		return model.ActionDowngrade
	}
	return model.ActionUpgrade
}

func pinReason(pkg, version string, verified bool) string {
	r := fmt.Sprintf("pin %s = %s", pkg, version)
	if !verified {
		r += " (availability not verified)"
	}
	return r
}

func updateType(u *model.Update) string {
	if u.From == "" {
		return model.ActionInstall
	}
	return model.ActionUpgrade
}

// approveUpdate finds the approval that makes u due soonest.
func (pp *policyPlan) approveUpdate(host string, snap *model.Snapshot, u *model.Update) (candidate, bool) {
	best := candidate{}
	found := false
	for i := range pp.approve {
		a := &pp.approve[i]
		if (a.a.Hosts != nil && !a.a.Hosts[host]) || !a.matches(u, pp.in.Vulns) {
			continue
		}
		c := candidate{u: *u, typ: updateType(u), reason: a.reason}
		if a.a.After > 0 {
			base, what := u.ReleasedAt, "released"
			if base.IsZero() {
				base, what = snap.ScannedAt, "first seen"
				if t, ok := pp.in.History.FirstSeen[UpdateKey{host, pp.p.Provider, u.Name, u.To}]; ok {
					base = t
				}
			}
			base = pp.notAfterNow(host, u, what, base)
			c.due = base.Add(a.a.After)
			c.dueReason = fmt.Sprintf("%s (%s %s)", a.reason, what, day(base))
		}
		pp.changesAt(c.due)
		if !found || c.due.Before(best.due) {
			best, found = c, true
		}
		if !c.due.After(pp.now) {
			break
		}
	}
	return best, found
}

// notAfterNow returns base, or the plan's now when base is later: a
// first-seen time, release date or scan time in the future (a clock that
// jumped forward, then back) would otherwise hold an update back for as
// long as the jump, while the host reports compliant. It warns when it
// corrects.
func (pp *policyPlan) notAfterNow(host string, u *model.Update, what string, base time.Time) time.Time {
	if !base.After(pp.now) {
		return base
	}
	pp.changesAt(pp.now) // the warning and the delay name now itself
	pp.warns.add("", "host %q: %s update %s %s was %s at %s, after the plan time %s (did the clock jump?); its approval delay counts from the plan time",
		host, pp.p.Provider, u.Name, u.To, what, stamp(base), stamp(pp.now))
	return pp.now
}

// gate turns a candidate into an action now or a deferred entry, applying
// the approval delay, the rollout rings and the window.
func (pp *policyPlan) gate(host string, ring int, c *candidate, hp *model.HostPlan) {
	var until time.Time // latest known constraint
	reason := ""
	unknown := false
	cause := ""
	if c.due.After(pp.now) {
		until, reason, cause = c.due, c.dueReason, model.DeferDelay
	}
	if s, what := pp.suspension(host); s != nil {
		if s.Until == nil {
			unknown = true
		} else if s.Until.After(until) {
			until = *s.Until
		}
		reason = s.Text(what)
		if cause == "" {
			cause = model.DeferSuspend
		}
	}
	fast, fastWhy := "", false
	if !pp.p.Emergency {
		fast, fastWhy = pp.fastLane(host, &c.u)
	}
	if !pp.p.Emergency && !fastWhy {
		if t, why, blocked, open := pp.rings.wait(pp, ring, c.u.Name, c.u.To); blocked {
			pp.changesAt(t)
			switch {
			case open:
				unknown, reason = true, why
			case t.After(until):
				until, reason = t, why
			}
			if cause == "" {
				cause = model.DeferRing
			}
		}
		if !unknown {
			from := pp.now
			if until.After(from) {
				from = until
			}
			next, why, then, wcause := pp.opening(host, from)
			switch {
			case next.IsZero():
				unknown = true
				if reason == "" {
					reason = why
				} else {
					reason += "; then " + then
				}
				if cause == "" {
					cause = wcause
				}
			case next.After(pp.now):
				if cause == "" {
					cause = wcause
				}
				if reason == "" {
					reason = why
				} else if next.After(until) {
					reason += "; then " + then
				}
				until = next
			}
		}
	}
	if !pp.p.Emergency && fastWhy && !unknown {
		// The fast lane skips the windows and soak, not freezes.
		from := pp.now
		if until.After(from) {
			from = until
		}
		for range maxHops {
			f := pp.freezeAt(host, from)
			if f == nil {
				break
			}
			if reason == "" {
				reason = freezeText(f, from)
			} else {
				reason += "; then freeze " + f.Name
			}
			if cause == "" {
				cause = model.DeferFreeze
			}
			from = freezeEnd(f, from)
		}
		if from.After(pp.now) && from.After(until) {
			until = from
		}
	}
	if reason == "" {
		hp.Actions = append(hp.Actions, model.Action{
			ID: host + "/" + pp.p.Provider + "/" + c.u.Name, Type: c.typ, Package: c.u.Name,
			From: c.u.From, To: c.u.To, Classification: c.u.Classification, Severity: c.u.Severity,
			CVEs: nonNil(c.u.CVEs), KB: c.u.KB, RebootRequired: c.u.RebootRequired, Reason: c.reason, Title: c.u.Title,
			Vulns: vulnsOf(c.u.CVEs, pp.in.Vulns), FastLane: fast,
		})
		return
	}
	d := model.Deferred{Package: c.u.Name, To: c.u.To, Reason: reason, Cause: cause, Vulns: vulnsOf(c.u.CVEs, pp.in.Vulns)}
	if !unknown && !until.IsZero() {
		t := until
		d.Until = &t
	}
	hp.Deferred = append(hp.Deferred, d)
}

// decideReboot applies the policy's reboot behaviour.
func (pp *policyPlan) decideReboot(host string, inv *model.ProviderInventory, hp *model.HostPlan) {
	var needs []string
	for _, a := range hp.Actions {
		if a.RebootRequired {
			needs = append(needs, a.Package)
		}
	}
	reason := ""
	switch {
	case len(needs) > 0:
		reason = fmt.Sprintf("reboot = %s: %s %s a reboot", pp.p.Reboot, strings.Join(needs, ", "), words.Plural(len(needs), "requires", "require"))
	case inv.PendingReboot:
		reason = fmt.Sprintf("reboot = %s: the host reports a pending reboot", pp.p.Reboot)
	}
	switch pp.p.Reboot {
	case "never":
		if reason != "" {
			hp.Reboot = model.RebootSuppressed
		}
		return
	case "always":
		if len(hp.Actions) > 0 {
			reason = "reboot = always"
		} else if reason == "" {
			return
		}
	case "if_needed":
		if reason == "" {
			return
		}
	}
	if len(hp.Actions) == 0 && !pp.canActNow(host) {
		hp.Reboot = model.RebootDeferred
		return
	}
	hp.Reboot = model.RebootPlanned
	hp.Actions = append(hp.Actions, model.Action{
		ID: host + "/" + pp.p.Provider + "/reboot", Type: model.ActionReboot,
		CVEs: []string{}, Reason: reason,
	})
}

// canActNow reports whether the policy may start work on host now: not
// suspended, and an emergency policy, or one of its windows open (or none)
// outside every freeze.
func (pp *policyPlan) canActNow(host string) bool {
	if s, _ := pp.suspension(host); s != nil {
		return false
	}
	if pp.p.Emergency {
		return true
	}
	next, _, _, _ := pp.opening(host, pp.now)
	return next.Equal(pp.now)
}

func sortHostPlan(hp *model.HostPlan) {
	sort.SliceStable(hp.Actions, func(i, j int) bool {
		a, b := hp.Actions[i], hp.Actions[j]
		if (a.Type == model.ActionReboot) != (b.Type == model.ActionReboot) {
			return b.Type == model.ActionReboot
		}
		return a.Package < b.Package
	})
	sort.SliceStable(hp.Deferred, func(i, j int) bool {
		a, b := hp.Deferred[i], hp.Deferred[j]
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		return a.To < b.To
	})
	sort.SliceStable(hp.Skipped, func(i, j int) bool {
		a, b := hp.Skipped[i], hp.Skipped[j]
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		return a.To < b.To
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// missingInventoryHint says how to get a host's inventory into a plan
// made from source (PlanInventory.Source: "live", "dir:PATH", "git:REF").
func missingInventoryHint(source, host string) string {
	if dir, ok := strings.CutPrefix(source, "dir:"); ok {
		return fmt.Sprintf("scan it (tend scan --out %s) or add %s", dir, filepath.Join(dir, host, "inventory.json"))
	}
	if ref, ok := strings.CutPrefix(source, "git:"); ok {
		return fmt.Sprintf("%s holds no snapshot of it yet: tend serve records one when it scans the host", ref)
	}
	return "it could not be scanned (tend scan --hosts " + host + " says why)"
}
