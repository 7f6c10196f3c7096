package render

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/plandiff"
)

// vulnFacts says what the feeds know of a CVE, e.g. "CVSS 8.8, EPSS 0.94,
// KEV due 2023-10-04"; "" when nothing.
func vulnFacts(v model.Vuln) string {
	var parts []string
	if v.CVSS > 0 {
		parts = append(parts, "CVSS "+strconv.FormatFloat(v.CVSS, 'f', 1, 64))
	}
	if v.HasEPSS || v.EPSS > 0 {
		parts = append(parts, "EPSS "+strconv.FormatFloat(math.Round(v.EPSS*1e4)/1e4, 'f', -1, 64))
	}
	if v.KEV {
		k := "KEV"
		if v.KEVDue != "" {
			k += " due " + v.KEVDue
		}
		if v.KEVRansomware {
			k += ", ransomware"
		}
		parts = append(parts, k)
	}
	return strings.Join(parts, ", ")
}

// vulnLabel is a CVE with its facts: "CVE-2023-4863 (CVSS 8.8, KEV)".
func vulnLabel(v model.Vuln) string {
	if f := vulnFacts(v); f != "" {
		return v.ID + " (" + f + ")"
	}
	return v.ID
}

// actionCVEs is an action's CVE cell: with the feeds' facts when the plan
// has them, KEV-listed first; at most max CVEs (all when max <= 0).
func actionCVEs(a *model.Action, max int) string {
	if len(a.Vulns) == 0 {
		return cveList(a.CVEs, max)
	}
	return vulnList(a.Vulns, max)
}

// vulnList labels CVEs, KEV-listed and highest CVSS first, at most max.
func vulnList(vs []model.Vuln, max int) string {
	sorted := make([]model.CVEHosts, len(vs))
	for i, v := range vs {
		sorted[i] = model.CVEHosts{Vuln: v}
	}
	sorted = sortVulns(sorted)
	labels := make([]string, len(sorted))
	for i, c := range sorted {
		labels[i] = vulnLabel(c.Vuln)
	}
	return cveList(labels, max)
}

func sortVulns(list []model.CVEHosts) []model.CVEHosts { return orderCVEs(list) }

// orderCVEs orders KEV-listed first, then by CVSS (highest first), then ID.
func orderCVEs(list []model.CVEHosts) []model.CVEHosts {
	out := append([]model.CVEHosts{}, list...)
	slices.SortStableFunc(out, func(a, b model.CVEHosts) int {
		return order(cveBefore(a.Vuln, b.Vuln), cveBefore(b.Vuln, a.Vuln))
	})
	return out
}

// order turns two "before" answers into a comparison.
func order(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

func cveBefore(a, b model.Vuln) bool {
	if a.KEV != b.KEV {
		return a.KEV
	}
	if a.CVSS != b.CVSS {
		return a.CVSS > b.CVSS
	}
	return a.ID < b.ID
}

// feedsLine says which feeds a plan matched and how old they are:
// "feeds: debian dated 2025-08-24 (fetched 3h ago), kev …"; "" without.
func feedsLine(p *model.Plan) string {
	if len(p.Feeds) == 0 {
		return ""
	}
	parts := make([]string, 0, len(p.Feeds))
	for _, f := range p.Feeds {
		s := f.Name
		switch {
		case f.Error != "":
			s += " unavailable: " + f.Error
		case f.Date != nil:
			s += " dated " + f.Date.UTC().Format(time.DateOnly)
			switch {
			case f.FetchedAt != nil && f.From != "":
				s += " (fetched " + agePhrase(p.GeneratedAt.Sub(*f.FetchedAt)) + ", from the " + f.From + ")"
			case f.FetchedAt != nil:
				s += " (fetched " + agePhrase(p.GeneratedAt.Sub(*f.FetchedAt)) + ")"
			}
		default:
			s += " (undated file)"
		}
		parts = append(parts, s)
	}
	return "vulnerability feeds: " + strings.Join(parts, "; ")
}

func agePhrase(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just before the plan"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m before the plan"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h before the plan"
	}
	return strconv.Itoa(int(d.Hours()/24)) + "d before the plan"
}

// exposureHeadline says which CVEs a plan closes and leaves open, on how
// many hosts, KEV first: "Closes 2 CVEs on 3 hosts (KEV: CVE-2023-4863 on
// 3 hosts); leaves 5 CVEs on 2 hosts (none KEV-listed) open". "" for a
// plan made without vulnerability feeds or that knows no CVEs.
func exposureHeadline(p *model.Plan) string {
	if len(p.Feeds) == 0 {
		return "" // without feeds, what stays open is not known
	}
	e := model.CVEExposure(p)
	if len(e.Closed) == 0 && len(e.Open) == 0 {
		return ""
	}
	return "Closes " + cvePhrase(e.Closed) + "; leaves " + cvePhrase(e.Open) + " open"
}

// cvePhrase counts CVEs and their hosts, naming the KEV-listed ones first.
func cvePhrase(list []model.CVEHosts) string {
	if len(list) == 0 {
		return "no CVEs"
	}
	hosts := map[string]bool{}
	var kev []string
	for _, c := range list {
		for _, h := range c.Hosts {
			hosts[h] = true
		}
		if c.Vuln.KEV {
			kev = append(kev, c.Vuln.ID+" on "+commas(len(c.Hosts))+" "+words.Plural(len(c.Hosts), "host", "hosts"))
		}
	}
	s := commas(len(list)) + " " + words.Plural(len(list), "CVE", "CVEs") + " on " + commas(len(hosts)) + " " + words.Plural(len(hosts), "host", "hosts")
	switch {
	case len(kev) == 0:
		s += " (none KEV-listed)"
	case len(kev) <= 3:
		s += " (KEV: " + strings.Join(kev, ", ") + ")"
	default:
		s += " (KEV: " + strings.Join(kev[:3], ", ") + " +" + strconv.Itoa(len(kev)-3) + " more)"
	}
	return s
}

// exposureDelta compares the exposure the base plan and this plan leave
// open, in host × CVE pairs; "" when neither knows a CVE.
func exposureDelta(d *plandiff.Delta) string {
	eb, eh := d.BaseExposure, d.HeadExposure
	if len(eb.Closed)+len(eb.Open)+len(eh.Closed)+len(eh.Open) == 0 {
		return ""
	}
	bo, bk := model.Pairs(eb.Open)
	ho, hk := model.Pairs(eh.Open)
	return "CVE exposure left open (host × CVE): " + commas(bo) + " (" + commas(bk) + " KEV) on the base, " + commas(ho) + " (" + commas(hk) + " KEV) with this change"
}

// textOpenCVEs is how many open CVEs a host shows unless Verbose.
const textOpenCVEs = 3

// vulns writes a host's overdue deadlines and its CVEs with no fix yet.
func (t *textView) vulns(h *model.HostPlan) {
	for _, o := range h.Overdue {
		t.line("  ", t.paint(red, cleanText("overdue: "+o.Package+" "+o.CVE+" was due "+o.Due.UTC().Format(time.DateOnly)+" ("+o.Rule+")")))
	}
	if len(h.OpenVulns) == 0 {
		return
	}
	t.line("  ", t.paint(yellow, "open CVEs with no fix available ("+commas(len(h.OpenVulns))+"):"))
	n := 0
	for _, o := range openOrdered(h.OpenVulns) {
		if !t.o.Verbose && n == textOpenCVEs {
			t.line("    ", t.paint(faint, "… and "+commas(len(h.OpenVulns)-n)+" more (--verbose lists them)"))
			break
		}
		t.line("    ", cleanText(vulnLabel(o.Vuln)+" in "+o.Package+" "+o.Version))
		n++
	}
}

// openOrdered orders open CVEs KEV first, then by CVSS, ID and package.
func openOrdered(list []model.OpenVuln) []model.OpenVuln {
	out := append([]model.OpenVuln{}, list...)
	slices.SortStableFunc(out, func(a, b model.OpenVuln) int { return order(openBefore(a, b), openBefore(b, a)) })
	return out
}

func openBefore(a, b model.OpenVuln) bool {
	if a.Vuln.ID == b.Vuln.ID {
		return a.Package < b.Package
	}
	return cveBefore(a.Vuln, b.Vuln)
}
