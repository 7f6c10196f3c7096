package model

import (
	"slices"
	"strings"
)

// CVEHosts is one CVE and the hosts a plan closes it on, or leaves it
// open on.
type CVEHosts struct {
	Vuln  Vuln
	Hosts []string
}

// Exposure is what a plan does about the CVEs of its hosts: those its
// actions close, and those it leaves open (updates deferred or skipped,
// and CVEs no update fixes yet), each with its hosts; KEV-listed CVEs
// first, then by CVSS, highest first, then by ID.
type Exposure struct {
	Closed, Open []CVEHosts
}

// Pairs counts the host and CVE pairs of a list, and how many of those are
// KEV-listed.
func Pairs(list []CVEHosts) (all, kev int) {
	for _, c := range list {
		all += len(c.Hosts)
		if c.Vuln.KEV {
			kev += len(c.Hosts)
		}
	}
	return all, kev
}

// CVEExposure computes a plan's exposure from the CVE facts its actions,
// deferred and skipped updates and open CVEs carry (plans made without
// feeds have none, apart from CVEs providers report without facts).
func CVEExposure(p *Plan) Exposure {
	closed := map[string]*CVEHosts{}
	open := map[string]*CVEHosts{}
	add := func(m map[string]*CVEHosts, host string, v Vuln) {
		c := m[v.ID]
		if c == nil {
			c = &CVEHosts{Vuln: v}
			m[v.ID] = c
		}
		if !slices.Contains(c.Hosts, host) {
			c.Hosts = append(c.Hosts, host)
		}
	}
	type hostCVE struct{ host, cve string }
	closedOn := map[hostCVE]bool{}
	for _, h := range p.Hosts {
		for _, a := range h.Actions {
			for _, v := range actionVulns(a) {
				add(closed, h.Host, v)
				closedOn[hostCVE{h.Host, v.ID}] = true
			}
		}
	}
	leave := func(host string, vs []Vuln) {
		for _, v := range vs {
			if !closedOn[hostCVE{host, v.ID}] {
				add(open, host, v)
			}
		}
	}
	for _, h := range p.Hosts {
		for _, d := range h.Deferred {
			leave(h.Host, d.Vulns)
		}
		for _, s := range h.Skipped {
			leave(h.Host, s.Vulns)
		}
		for _, o := range h.OpenVulns {
			leave(h.Host, []Vuln{o.Vuln})
		}
	}
	return Exposure{Closed: sortedCVEHosts(closed), Open: sortedCVEHosts(open)}
}

// actionVulns is an action's CVE facts, or its bare CVE IDs.
func actionVulns(a Action) []Vuln {
	if len(a.Vulns) > 0 {
		return a.Vulns
	}
	out := make([]Vuln, len(a.CVEs))
	for i, id := range a.CVEs {
		out[i] = Vuln{ID: id}
	}
	return out
}

func sortedCVEHosts(m map[string]*CVEHosts) []CVEHosts {
	out := make([]CVEHosts, 0, len(m))
	for _, c := range m {
		slices.Sort(c.Hosts)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b CVEHosts) int {
		if a.Vuln.KEV != b.Vuln.KEV {
			if a.Vuln.KEV {
				return -1
			}
			return 1
		}
		if a.Vuln.CVSS != b.Vuln.CVSS {
			if a.Vuln.CVSS > b.Vuln.CVSS {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Vuln.ID, b.Vuln.ID)
	})
	return out
}
