package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

// policyPlan is one policy prepared for planning: patterns compiled, expired
// rules dropped (with warnings), window state and rings computed once.
type policyPlan struct {
	in      Input
	p       *config.Policy
	now     time.Time
	warns   *warnings
	reject  []rejecter
	approve []approval
	exclude []exclusion
	pins    map[string]*config.Pin
	windows []namedWindow
	winInfo *model.WindowInfo
	rings   *rings
	// policyNext is the earliest instant after now at which something of
	// the policy as a whole judged against now changes (an approval,
	// exclusion, advisory or suspension expiring, a window or a freeze
	// opening or closing); next is that and, while a host is planned
	// (planOrReuse), what its plan reads (changesAt). Zero: never.
	policyNext, next time.Time
}

type approval struct {
	a        *config.Approve
	classes  map[string]bool
	sevs     map[string]bool
	packages []matcher
	reason   string
}

type exclusion struct {
	e        *config.Exclude
	packages []matcher
	reason   string
}

func where(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

func newPolicyPlan(in Input, p *config.Policy, now time.Time, warns *warnings) *policyPlan {
	pp := &policyPlan{in: in, p: p, now: now, warns: warns, reject: compileRejects(p.Reject), pins: map[string]*config.Pin{}}
	for _, a := range p.Approve {
		if a.ExpiredAt(now) {
			warns.add(where(a.DeclRange), "%s", a.ExpiredText(p.Name))
			continue
		}
		pp.approve = append(pp.approve, approval{
			a: a, classes: lowerSet(a.Classification), sevs: lowerSet(a.Severity),
			packages: compileAll(a.Packages), reason: approveReason(a),
		})
	}
	for _, e := range p.Exclude {
		if e.ExpiredAt(now) {
			warns.add(where(e.DeclRange), "%s", e.ExpiredText(p.Name))
			continue
		}
		pp.exclude = append(pp.exclude, exclusion{
			e: e, packages: compileAll(e.Packages),
			reason: fmt.Sprintf("excluded until %s: %s", e.UntilText, e.Reason),
		})
	}
	for _, pin := range p.Pin {
		pp.pins[pin.Package] = pin
	}
	pp.windows = windowsOf(in.Config, p)
	pp.winInfo = windowInfo(pp.windows, now)
	if pp.winInfo != nil {
		pp.winInfo.Ignored = p.Emergency
	}
	pp.warnExpiredSuspends()
	pp.rings = newRings(p)
	pp.policyChanges()
	return pp
}

// policyChanges sets policyNext: every instant at which the policy's
// approvals, exclusions, advisories, suspension, windows or any freeze
// (whichever hosts it covers) may change how now judges them.
func (pp *policyPlan) policyChanges() {
	for _, a := range pp.p.Approve {
		pp.changesAtPtr(a.Until)
	}
	for _, e := range pp.p.Exclude {
		pp.changesAtPtr(e.Until)
	}
	for _, ad := range pp.p.Advisories {
		pp.changesAtPtr(ad.Until)
	}
	if pp.p.Suspend != nil {
		pp.changesAtPtr(pp.p.Suspend.Until)
	}
	for _, nw := range pp.windows {
		pp.changesAt(nw.w.NextChange(pp.now))
	}
	for _, f := range pp.in.Config.Freezes {
		pp.changesAt(f.NextChange(pp.now))
	}
	pp.policyNext = pp.next
}

// changesAt notes that the plan compares now with t: it may change once
// now reaches t (or, for t equal to now, just after). Instants before now
// change nothing for any later now; the zero time is never.
func (pp *policyPlan) changesAt(t time.Time) {
	if t.IsZero() || t.Before(pp.now) {
		return
	}
	if !t.After(pp.now) {
		t = pp.now.Add(time.Nanosecond)
	}
	if pp.next.IsZero() || t.Before(pp.next) {
		pp.next = t
	}
}

func (pp *policyPlan) changesAtPtr(t *time.Time) {
	if t != nil {
		pp.changesAt(*t)
	}
}

// snapshot returns the host's snapshot, from Input.Snapshots when set.
func (pp *policyPlan) snapshot(host string) *model.Snapshot {
	if pp.in.Snapshots != nil {
		return pp.in.Snapshots(host)
	}
	return pp.in.Inventory[host]
}

// approveReason describes an approve block's criteria, e.g.
// "approve[0]: classification=security, after=3d".
func approveReason(a *config.Approve) string {
	if a.Advisory != "" {
		return fmt.Sprintf("advisory %s: packages=%s, %s", a.Advisory, globsOf(a.Packages), a.Vuln.String())
	}
	var parts []string
	if len(a.Classification) > 0 {
		parts = append(parts, "classification="+strings.Join(a.Classification, ","))
	}
	if len(a.Severity) > 0 {
		parts = append(parts, "severity="+strings.Join(a.Severity, ","))
	}
	if len(a.Packages) > 0 {
		globs := make([]string, len(a.Packages))
		for i, p := range a.Packages {
			globs[i] = p.Glob
		}
		parts = append(parts, "packages="+strings.Join(globs, ","))
	}
	if v := a.Vuln.String(); v != "" {
		parts = append(parts, v)
	}
	if a.AfterText != "" {
		parts = append(parts, "after="+a.AfterText)
	}
	if len(parts) == 0 {
		parts = append(parts, "all updates")
	}
	return fmt.Sprintf("approve[%d]: %s", a.Index, strings.Join(parts, ", "))
}

func globsOf(ps []config.Pattern) string {
	globs := make([]string, len(ps))
	for i, p := range ps {
		globs[i] = p.Glob
	}
	return strings.Join(globs, ",")
}

func lowerSet(items []string) map[string]bool {
	if len(items) == 0 {
		return nil
	}
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[strings.ToLower(s)] = true
	}
	return m
}

// matches reports whether every criterion of the approval holds for u.
func (a *approval) matches(u *model.Update, facts map[string]model.Vuln) bool {
	if a.classes != nil && !a.classes[strings.ToLower(u.Classification)] {
		return false
	}
	if a.sevs != nil && !a.sevs[strings.ToLower(u.Severity)] {
		return false
	}
	if len(a.packages) > 0 {
		if _, ok := firstMatch(a.packages, u.Name); !ok {
			return false
		}
	}
	if !a.a.Vuln.Empty() {
		if _, ok := vulnMatch(a.a.Vuln, u.CVEs, facts); !ok {
			return false
		}
	}
	return true
}

// blocked returns why pkg may not change to version on host: rejected
// (which wins over everything) or covered by an active exclusion.
func (pp *policyPlan) blocked(host, pkg, version string) (string, bool) {
	if g, ok := firstReject(pp.reject, pkg, version); ok {
		return fmt.Sprintf("rejected by reject %q", g), true
	}
	return pp.excluded(host, pkg)
}

// excluded returns the reason an active exclusion covers pkg on host.
func (pp *policyPlan) excluded(host, pkg string) (string, bool) {
	for i := range pp.exclude {
		ex := &pp.exclude[i]
		if ex.e.Hosts != nil && !ex.e.Hosts[host] {
			continue
		}
		if len(ex.packages) > 0 {
			if _, ok := firstMatch(ex.packages, pkg); !ok {
				continue
			}
		}
		return ex.reason, true
	}
	return "", false
}

// plan plans every host of the policy, earlier rings first (later rings
// look at what earlier rings still need).
func (pp *policyPlan) plan() []model.HostPlan {
	hosts := pp.rings.sorted(pp.p.Hosts)
	out := make([]model.HostPlan, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, pp.planOrReuse(h))
	}
	return out
}
