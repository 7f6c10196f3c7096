package planner

import (
	"fmt"
	"slices"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

// vulnMatch returns the first of cves (in order) for which every
// criterion of r holds, by the feeds' facts; ok is false when none does.
// A criterion on a score the feeds do not know for a CVE does not hold.
func vulnMatch(r config.VulnRule, cves []string, facts map[string]model.Vuln) (string, bool) {
	for _, id := range cves {
		f, known := facts[id]
		switch {
		case len(r.CVEs) > 0 && !slices.Contains(r.CVEs, id):
		case r.CVSS != nil && (!known || f.CVSS == 0 || !r.CVSS.Holds(f.CVSS)):
		case r.EPSS != nil && (!known || !f.HasEPSS || !r.EPSS.Holds(f.EPSS)):
		case r.KEV != nil && f.KEV != *r.KEV:
		default:
			return id, true
		}
	}
	return "", false
}

// vulnsOf returns the feeds' facts on cves, in order; CVEs the feeds do not
// know are listed by ID alone. Nil without facts.
func vulnsOf(cves []string, facts map[string]model.Vuln) []model.Vuln {
	if len(facts) == 0 || len(cves) == 0 {
		return nil
	}
	out := make([]model.Vuln, 0, len(cves))
	for _, id := range cves {
		f, ok := facts[id]
		if !ok {
			f = model.Vuln{ID: id}
		}
		out = append(out, f)
	}
	return out
}

// fastLane says whether the policy's fast lane, or one of its unexpired
// advisories, takes u on host, and why.
func (pp *policyPlan) fastLane(host string, u *model.Update) (string, bool) {
	if fl := pp.p.FastLane; fl != nil {
		if id, ok := vulnMatch(fl.Rule, u.CVEs, pp.in.Vulns); ok {
			return fmt.Sprintf("fast_lane (%s): %s", fl.Rule.String(), id), true
		}
	}
	for _, ad := range pp.p.Advisories {
		if ad.ExpiredAt(pp.now) || (ad.Hosts != nil && !ad.Hosts[host]) || !slices.Contains(u.CVEs, ad.CVE) {
			continue
		}
		for _, pat := range ad.Packages {
			if compile(pat.Glob).match(u.Name) {
				return fmt.Sprintf("fast_lane (advisory %s): %s", ad.Name, ad.CVE), true
			}
		}
	}
	return "", false
}

// openVulns lists the host's CVEs with no fix available, with facts.
func (pp *policyPlan) openVulns(inv *model.ProviderInventory) []model.OpenVuln {
	n := inv.OpenCVEs.Len()
	if n == 0 {
		return nil
	}
	out := make([]model.OpenVuln, 0, n)
	for o := range inv.OpenCVEs.All() {
		f, ok := pp.in.Vulns[o.CVE]
		if !ok {
			f = model.Vuln{ID: o.CVE}
		}
		out = append(out, model.OpenVuln{Package: o.Package, Version: o.Version, Vuln: f})
	}
	return out
}

// overdue lists the policy's remediation deadlines the host has missed:
// an available update fixing a CVE a deadline covers, not installed within
// the deadline's days of its release (or first sighting), or after CISA's
// dueDate for a KEV-listed CVE, whichever is earlier.
func (pp *policyPlan) overdue(host string, snap *model.Snapshot, inv *model.ProviderInventory) []model.Overdue {
	if len(pp.p.Deadlines) == 0 {
		return nil
	}
	var out []model.Overdue
	for i := range inv.Available {
		u := &inv.Available[i]
		for _, id := range u.CVEs {
			var best *model.Overdue
			for _, d := range pp.p.Deadlines {
				if _, ok := vulnMatch(d.Rule, []string{id}, pp.in.Vulns); !ok {
					continue
				}
				start := u.ReleasedAt
				if start.IsZero() {
					start = snap.ScannedAt
					if t, ok := pp.in.History.FirstSeen[UpdateKey{host, pp.p.Provider, u.Name, u.To}]; ok {
						start = t
					}
				}
				due, rule := start.Add(time.Duration(d.WithinDays)*24*time.Hour), d.String()
				if f := pp.in.Vulns[id]; f.KEV && f.KEVDue != "" {
					if t, err := time.Parse(time.DateOnly, f.KEVDue); err == nil && t.Add(24*time.Hour).Before(due) {
						due, rule = t.Add(24*time.Hour), d.String()+" (KEV dueDate "+f.KEVDue+")"
					}
				}
				pp.changesAt(due)
				if !pp.now.After(due) {
					continue
				}
				if best == nil || due.Before(best.Due) {
					best = &model.Overdue{Package: u.Name, CVE: id, Due: due.UTC(), Rule: rule}
				}
			}
			if best != nil {
				out = append(out, *best)
			}
		}
	}
	slices.SortFunc(out, func(a, b model.Overdue) int {
		if a.Package != b.Package {
			return compareStrings(a.Package, b.Package)
		}
		return compareStrings(a.CVE, b.CVE)
	})
	return out
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// skippedVulns gives each skipped update the facts on the CVEs it would
// fix, so what a plan leaves open is seen.
func (pp *policyPlan) skippedVulns(inv *model.ProviderInventory, hp *model.HostPlan) {
	if len(pp.in.Vulns) == 0 {
		return
	}
	type key struct{ name, to string }
	cves := map[key][]string{}
	for _, u := range inv.Available {
		if len(u.CVEs) > 0 {
			cves[key{u.Name, u.To}] = u.CVEs
		}
	}
	for i := range hp.Skipped {
		s := &hp.Skipped[i]
		s.Vulns = vulnsOf(cves[key{s.Package, s.To}], pp.in.Vulns)
	}
}
