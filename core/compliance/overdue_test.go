package compliance

import (
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/render"
)

// TestOverdue: an update past its remediation deadline makes an overdue
// item whether the plan installs it now or skips it.
func TestOverdue(t *testing.T) {
	scanned := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	due := time.Date(2023, 10, 5, 0, 0, 0, 0, time.UTC)
	inv := &model.ProviderInventory{
		Installed: []model.Installed{{Name: "libwebp7", Version: "1.2.4-0.2"}, {Name: "libc6", Version: "2.36-9+deb12u1"}},
		Available: []model.Update{
			{Name: "libwebp7", From: "1.2.4-0.2", To: "1.2.4-0.2+deb12u1", Classification: "security", CVEs: []string{"CVE-2023-4863"}},
			{Name: "libc6", From: "2.36-9+deb12u1", To: "2.36-9+deb12u3", Classification: "security", CVEs: []string{"CVE-2023-4911"}},
		},
	}
	hp := model.HostPlan{Host: "web_1", Provider: "apt", Policy: "p", ScannedAt: &scanned,
		Actions: []model.Action{{ID: "web_1/apt/libwebp7", Type: model.ActionUpgrade, Package: "libwebp7", From: "1.2.4-0.2", To: "1.2.4-0.2+deb12u1",
			Classification: "security", CVEs: []string{"CVE-2023-4863"}}},
		Skipped: []model.Skipped{{Package: "libc6", To: "2.36-9+deb12u3", Reason: "not approved by any approve block"}},
		Overdue: []model.Overdue{
			{Package: "libc6", CVE: "CVE-2023-4911", Due: due, Rule: "deadline[0]: kev, within=14d"},
			{Package: "libwebp7", CVE: "CVE-2023-4863", Due: due, Rule: "deadline[0]: kev, within=14d (KEV dueDate 2023-10-04)"},
		},
	}
	hp.Actions[0].Vulns = []model.Vuln{{ID: "CVE-2023-4863", CVSS: 8.8, KEV: true, KEVDue: "2023-10-04"}}
	hp.Skipped[0].Vulns = []model.Vuln{{ID: "CVE-2023-4911", CVSS: 7.8, KEV: true, KEVDue: "2023-12-12"}}
	hp.OpenVulns = []model.OpenVuln{{Package: "libc6", Version: "2.36-9+deb12u1", Vuln: model.Vuln{ID: "CVE-2019-1010022"}}}
	reports, sum := Evaluate(Input{Plan: &model.Plan{Hosts: []model.HostPlan{hp}, Feeds: []model.FeedInfo{{Name: "kev", Type: "kev"}}},
		Clients: map[string]string{"web_1": "acme"}, Now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		FirstSeen: func(host, provider, pkg, to string) (time.Time, bool) {
			return time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), host == "web_1" && provider == "apt" && pkg == "libc6" && to == "2.36-9+deb12u3"
		},
		Inventory: map[string]*model.Snapshot{"web_1": {Host: "web_1", ScannedAt: scanned, Providers: map[string]*model.ProviderInventory{"apt": inv}}}})
	if len(reports) != 1 || reports[0].State != model.HostNonCompliant {
		t.Fatalf("reports: %+v", reports)
	}
	got := map[string]model.Item{}
	for _, it := range reports[0].Items {
		got[it.Package] = it
	}
	if it := got["libwebp7"]; it.State != model.ItemOverdue || it.Required != "1.2.4-0.2+deb12u1" ||
		it.Detail != "CVE-2023-4863 was due 2023-10-05 (deadline[0]: kev, within=14d (KEV dueDate 2023-10-04))" {
		t.Errorf("libwebp7: %+v", it)
	}
	if it := got["libc6"]; it.State != model.ItemOverdue || it.Detail != "2.36-9+deb12u3 available: not approved by any approve block; CVE-2023-4911 was due 2023-10-05 (deadline[0]: kev, within=14d)" {
		t.Errorf("libc6: %+v", it)
	}
	if h := sum.MissingByCVE["CVE-2023-4911"]; len(h) != 1 || h[0] != "web_1" {
		t.Errorf("missing_by_cve: %v", sum.MissingByCVE)
	}
	v := sum.Vulnerabilities
	if v == nil || len(v.Missing) != 2 || len(v.NoFix) != 1 {
		t.Fatalf("vulnerabilities: %+v", v)
	}
	// KEV first, then by CVSS.
	if m := v.Missing[0]; m.ID != "CVE-2023-4863" || m.Clients["acme"] != 1 || len(m.Overdue) != 1 || v.Missing[1].ID != "CVE-2023-4911" {
		t.Errorf("missing: %+v", v.Missing)
	}
	// Days open: libwebp7 from the scan (no release date, no first-seen
	// record), libc6 from its first sighting; due from the missed deadline.
	if m := v.Missing[0]; m.DaysOpen == nil || *m.DaysOpen != 2 || m.Due != "2023-10-04" || m.FirstSeen == nil || !m.FirstSeen.Equal(scanned) {
		t.Errorf("libwebp7's CVE: days open %v, due %q, first seen %v", m.DaysOpen, m.Due, m.FirstSeen)
	}
	if m := v.Missing[1]; m.DaysOpen == nil || *m.DaysOpen != 15 {
		t.Errorf("libc6's CVE: days open %v", m.DaysOpen)
	}
	if want := (model.VulnExposure{HostCVEs: 2, KEVHostCVEs: 2, OverdueHostCVEs: 2, CVEs: 2, KEVCVEs: 2, NoFixHostCVEs: 1}); v.Exposure != want {
		t.Errorf("exposure %+v, want %+v", v.Exposure, want)
	}
	if v.NoFix[0].ID != "CVE-2019-1010022" || v.NoFix[0].Hosts[0] != "web_1" {
		t.Errorf("no fix: %+v", v.NoFix)
	}
	var md strings.Builder
	if err := render.SummaryMarkdown(&md, &sum, reports); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Missing patches by CVE risk (KEV first)", "| CVE-2023-4863 | 8.8 | — | KEV | 2023-10-04 (overdue) | 2 | 1 | 1 | web_1 |",
		"## Open CVEs without a fix", "| CVE-2019-1010022 | — | — | — | 1 | web_1 |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("SUMMARY.md lacks %q:\n%s", want, md.String())
		}
	}
}
