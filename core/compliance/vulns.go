package compliance

import (
	"slices"
	"strings"

	"github.com/tend-sh/tend/core/model"
)

// vulnSummary gathers the fleet's CVEs from the facts the plan carries:
// those its actions, deferred and skipped updates fix (missing until
// installed), and its hosts' open CVEs with no fix. Nil for a plan made
// without feeds.
func vulnSummary(p *model.Plan, clients map[string]string) *model.VulnSummary {
	if p == nil || len(p.Feeds) == 0 {
		return nil
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
	for _, h := range p.Hosts {
		for _, a := range h.Actions {
			for _, v := range a.Vulns {
				add(missing, h.Host, v)
			}
		}
		for _, d := range h.Deferred {
			for _, v := range d.Vulns {
				add(missing, h.Host, v)
			}
		}
		for _, s := range h.Skipped {
			for _, v := range s.Vulns {
				add(missing, h.Host, v)
			}
		}
		for _, o := range h.OpenVulns {
			add(noFix, h.Host, o.Vuln)
		}
	}
	for _, h := range p.Hosts {
		for _, o := range h.Overdue {
			if c := missing[o.CVE]; c != nil && !slices.Contains(c.Overdue, h.Host) {
				c.Overdue = append(c.Overdue, h.Host)
			}
		}
	}
	return &model.VulnSummary{Missing: sortedCVEs(missing), NoFix: sortedCVEs(noFix)}
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
