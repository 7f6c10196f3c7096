package compliance

import (
	"slices"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// vulnSummary gathers the fleet's CVEs from the facts the plan carries:
// those its actions, deferred and skipped updates fix (missing until
// installed), and its hosts' open CVEs with no fix. Nil for a plan made
// without feeds.
func vulnSummary(in Input) *model.VulnSummary {
	p, clients := in.Plan, in.Clients
	if p == nil || len(p.Feeds) == 0 {
		return nil
	}
	firstSeen := map[string]time.Time{}
	seen := func(hp *model.HostPlan, pkg, to string, vulns []model.Vuln) {
		t, ok := in.fixSeen(hp, pkg, to)
		if !ok {
			return
		}
		for _, v := range vulns {
			if f, ok := firstSeen[v.ID]; !ok || t.Before(f) {
				firstSeen[v.ID] = t
			}
		}
	}
	missing, noFix := map[string]*model.CVESummary{}, map[string]*model.CVESummary{}
	add := func(m map[string]*model.CVESummary, host string, v model.Vuln) {
		c := m[v.ID]
		if c == nil {
			c = &model.CVESummary{Vuln: v, Hosts: []string{}, Clients: map[string]int{}, Overdue: []string{}}
			m[v.ID] = c
		}
		if !slices.Contains(c.Hosts, host) {
			c.Hosts = append(c.Hosts, host)
			c.Clients[clients[host]]++
		}
	}
	for i := range p.Hosts {
		h := &p.Hosts[i]
		for _, a := range h.Actions {
			for _, v := range a.Vulns {
				add(missing, h.Host, v)
			}
			seen(h, a.Package, a.To, a.Vulns)
		}
		for _, d := range h.Deferred {
			for _, v := range d.Vulns {
				add(missing, h.Host, v)
			}
			seen(h, d.Package, d.To, d.Vulns)
		}
		for _, s := range h.Skipped {
			for _, v := range s.Vulns {
				add(missing, h.Host, v)
			}
			seen(h, s.Package, s.To, s.Vulns)
		}
		for _, o := range h.OpenVulns {
			add(noFix, h.Host, o.Vuln)
		}
	}
	due := map[string]time.Time{}
	for _, h := range p.Hosts {
		for _, o := range h.Overdue {
			if c := missing[o.CVE]; c != nil && !slices.Contains(c.Overdue, h.Host) {
				c.Overdue = append(c.Overdue, h.Host)
			}
			if d, ok := due[o.CVE]; !o.Due.IsZero() && (!ok || o.Due.Before(d)) {
				due[o.CVE] = o.Due
			}
		}
	}
	var exp model.VulnExposure
	for id, c := range missing {
		if t, ok := firstSeen[id]; ok {
			t := t.UTC()
			days := 0
			if in.Now.After(t) {
				days = int(in.Now.Sub(t) / (24 * time.Hour))
			}
			c.FirstSeen, c.DaysOpen = &t, &days
		}
		switch d, ok := due[id]; {
		case ok:
			// Overdue.Due is the first instant past the deadline.
			c.Due = d.UTC().Add(-time.Nanosecond).Format("2006-01-02")
		case c.KEV:
			c.Due = c.KEVDue
		}
		exp.CVEs++
		exp.HostCVEs += len(c.Hosts)
		exp.OverdueHostCVEs += len(c.Overdue)
		if c.KEV {
			exp.KEVCVEs++
			exp.KEVHostCVEs += len(c.Hosts)
		}
	}
	for _, c := range noFix {
		exp.NoFixHostCVEs += len(c.Hosts)
	}
	return &model.VulnSummary{Missing: sortedCVEs(missing), NoFix: sortedCVEs(noFix), Exposure: exp}
}

// fixSeen is when the update pkg → to was released, else first seen on
// the host (in.FirstSeen), else the host's scan time; ok is false when the
// inventory does not have the host.
func (in Input) fixSeen(hp *model.HostPlan, pkg, to string) (time.Time, bool) {
	snap := in.Inventory[hp.Host]
	if snap == nil {
		return time.Time{}, false
	}
	if inv := snap.Providers[hp.Provider]; inv != nil {
		for _, u := range inv.Available {
			if u.Name == pkg && u.To == to && !u.ReleasedAt.IsZero() {
				return u.ReleasedAt, true
			}
		}
	}
	if in.FirstSeen != nil {
		if t, ok := in.FirstSeen(hp.Host, hp.Provider, pkg, to); ok {
			return t, true
		}
	}
	return snap.ScannedAt, !snap.ScannedAt.IsZero()
}

func sortedCVEs(m map[string]*model.CVESummary) []model.CVESummary {
	out := make([]model.CVESummary, 0, len(m))
	for _, c := range m {
		slices.Sort(c.Hosts)
		slices.Sort(c.Overdue)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b model.CVESummary) int {
		switch {
		case a.KEV != b.KEV && a.KEV:
			return -1
		case a.KEV != b.KEV:
			return 1
		case a.CVSS > b.CVSS:
			return -1
		case a.CVSS < b.CVSS:
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
