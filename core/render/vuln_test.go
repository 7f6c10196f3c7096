package render

import (
	"bytes"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/plandiff"
)

var (
	webpVuln = model.Vuln{ID: "CVE-2023-4863", CVSS: 8.8, CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
		EPSS: 0.93741, EPSSPercentile: 0.99844, HasEPSS: true, KEV: true, KEVAdded: "2023-09-13", KEVDue: "2023-10-04"}
	webpOld   = model.Vuln{ID: "CVE-2023-1999", CVSS: 5.5, EPSS: 0.00046, HasEPSS: true}
	glibcVuln = model.Vuln{ID: "CVE-2023-4911", CVSS: 7.8, EPSS: 0.87156, HasEPSS: true, KEV: true, KEVDue: "2023-12-12"}
	openVuln  = model.Vuln{ID: "CVE-2019-1010022", EPSS: 0.00242, HasEPSS: true}
)

// vulnPlan is a plan made with feeds: a fast-lane KEV fix, a deferred
// one, an overdue deadline and CVEs without a fix.
func vulnPlan() *model.Plan {
	gen := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	fetched, dated := gen.Add(-3*time.Hour), time.Date(2025, 8, 25, 0, 0, 0, 0, time.UTC)
	until := time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC)
	hosts := []model.HostPlan{{
		Host: "web_1", Provider: "apt", Policy: "security", Reboot: model.RebootNone,
		Window: &model.WindowInfo{Name: "weekend", NextOpen: &until},
		Actions: []model.Action{{ID: "web_1/apt/libwebp7", Type: model.ActionUpgrade, Package: "libwebp7", From: "1.2.4-0.2", To: "1.2.4-0.2+deb12u1",
			Classification: "security", CVEs: []string{"CVE-2023-1999", "CVE-2023-4863"}, Vulns: []model.Vuln{webpOld, webpVuln},
			Reason: "approve[0]: classification=security", FastLane: "fast_lane (kev): CVE-2023-4863"}},
		Deferred:  []model.Deferred{{Package: "libc6", To: "2.36-9+deb12u3", Until: &until, Reason: "window weekend closed", Vulns: []model.Vuln{glibcVuln}}},
		Skipped:   []model.Skipped{},
		Overdue:   []model.Overdue{{Package: "libc6", CVE: "CVE-2023-4911", Due: time.Date(2023, 12, 13, 0, 0, 0, 0, time.UTC), Rule: "deadline[0]: kev, within=14d (KEV dueDate 2023-12-12)"}},
		OpenVulns: []model.OpenVuln{{Package: "libc6", Version: "2.36-9+deb12u1", Vuln: openVuln}},
	}, {
		Host: "web_2", Provider: "apt", Policy: "security", Reboot: model.RebootNone,
		Actions: []model.Action{{ID: "web_2/apt/libwebp7", Type: model.ActionUpgrade, Package: "libwebp7", From: "1.2.4-0.2", To: "1.2.4-0.2+deb12u1",
			Classification: "security", CVEs: []string{"CVE-2023-4863"}, Vulns: []model.Vuln{webpVuln}, Reason: "approve[0]: classification=security"}},
		Deferred: []model.Deferred{}, Skipped: []model.Skipped{},
	}}
	p := &model.Plan{FormatVersion: "1", GeneratedAt: gen, Config: model.PlanConfig{Dir: "fleet", Commit: "9f2c1ab"},
		Inventory: model.PlanInventory{Source: "dir:fleet/snapshots"}, Hosts: hosts,
		Feeds: []model.FeedInfo{{Name: "debian", Type: "debian-tracker", Date: &fetched, FetchedAt: &fetched}, {Name: "kev", Type: "kev", Date: &dated, FetchedAt: &fetched}}}
	p.Summary = model.Summarize(p.Hosts)
	return p
}

// vulnBase is the plan before the change: nothing approved yet.
func vulnBase() *model.Plan {
	p := vulnPlan()
	for i := range p.Hosts {
		h := &p.Hosts[i]
		for _, a := range h.Actions {
			h.Skipped = append(h.Skipped, model.Skipped{Package: a.Package, To: a.To, Reason: "not approved by any approve block", Vulns: a.Vulns})
		}
		h.Actions = []model.Action{}
	}
	p.Summary = model.Summarize(p.Hosts)
	return p
}

func TestVulnGolden(t *testing.T) {
	for name, render := range map[string]func(*bytes.Buffer) error{
		"vuln_text": func(w *bytes.Buffer) error { return Text(w, vulnPlan(), nil, TextOptions{}) },
		"vuln_md": func(w *bytes.Buffer) error {
			return Markdown(w, vulnPlan(), nil, MarkdownOptions{Base: plandiff.Diff(vulnBase(), vulnPlan()), BaseLabel: "origin/main (1234567)"})
		},
		"vuln_json": func(w *bytes.Buffer) error { return JSON(w, vulnPlan()) },
		"vuln_delta_text": func(w *bytes.Buffer) error {
			return DeltaText(w, plandiff.Diff(vulnBase(), vulnPlan()), "origin/main", TextOptions{})
		},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := render(&buf); err != nil {
				t.Fatal(err)
			}
			golden(t, name, buf.Bytes())
		})
	}
}
