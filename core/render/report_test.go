package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch/audit"
)

var reportNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func richReports() []model.Report {
	scanned := time.Date(2026, 11, 23, 9, 59, 58, 0, time.UTC)
	installed := time.Date(2026, 11, 22, 22, 4, 0, 0, time.UTC)
	return []model.Report{
		{FormatVersion: "1", Host: "db_1", ConfigCommit: "9f2c1ab0d4e5f60718293a4b5c6d7e8f90a1b2c3", ScannedAt: &scanned,
			State: model.HostCompliant, Items: []model.Item{
				{Provider: "apt", Package: "nginx", Installed: "1.22.1-9", Required: "1.22.1-9", State: model.ItemInstalled},
				{Provider: "apt", Package: "openssh-server", Installed: "1:9.2p1-2", State: model.ItemInstalledOther,
					Detail: "1:9.2p1-2+deb12u3 available: not approved by any approve block"},
				{Provider: "apt", Package: "openssl", Installed: "3.0.11-1~deb12u2", Required: "3.0.11-1~deb12u2",
					State: model.ItemInstalled, Classification: "security", InstalledAt: &installed},
				{Provider: "apt", Package: "postgresql-15", Required: "15.8-0+deb12u1", State: model.ItemNotApplicable,
					Detail: "the host does not have it and no update offers it (pin postgresql-15 = 15.8-0+deb12u1)"},
			}},
		{FormatVersion: "1", Host: "lost_1", ConfigCommit: "9f2c1ab0d4e5f60718293a4b5c6d7e8f90a1b2c3", State: model.HostUnknown},
		{FormatVersion: "1", Host: "web_1", ConfigCommit: "9f2c1ab0d4e5f60718293a4b5c6d7e8f90a1b2c3", ScannedAt: &scanned,
			State: model.HostNonCompliant, Items: []model.Item{
				{Provider: "apt", Package: "(reboot)", State: model.ItemInstalledPendingReboot},
				{Provider: "apt", Package: "curl", Installed: "7.88.1-10+deb12u12", Required: "7.88.1-10+deb12u14",
					State: model.ItemFailed, Classification: "security", CVEs: []string{"CVE-2026-2"}},
				{Provider: "apt", Package: "openssl", Installed: "3.0.11-1~deb12u1", Required: "3.0.11-1~deb12u2",
					State: model.ItemMissing, Classification: "security", CVEs: []string{"CVE-2024-0727", "CVE-2026-1"}},
				{Provider: "apt", Package: "telnetd", Installed: "0.17-44", State: model.ItemInstalledRejected},
			},
			LastApply: &model.LastApply{
				StartedAt: time.Date(2026, 11, 22, 22, 0, 0, 0, time.UTC), FinishedAt: time.Date(2026, 11, 22, 22, 4, 0, 0, time.UTC),
				Results: []model.ActionResult{
					{ActionID: "web_1/apt/curl", Status: model.StatusFailed, Message: "dpkg: error | exit status 100"},
					{ActionID: "web_1/apt/zlib1g", Status: model.StatusSucceeded},
				}},
			Errors: []string{`pin nginx = "1.22.1-9": the host's sources do not offer that version (they offer 1.22.1-9+deb12u1)`}},
	}
}

func richSummary() *model.FleetSummary {
	return &model.FleetSummary{
		GeneratedAt: reportNow, ConfigCommit: "9f2c1ab0d4e5f60718293a4b5c6d7e8f90a1b2c3",
		Counts: model.Counts{Hosts: 3, Compliant: 1, NonCompliant: 1, Unknown: 1, CompliancePercent: 50},
		Clients: map[string]model.Counts{
			"acme": {Hosts: 2, Compliant: 1, NonCompliant: 1, CompliancePercent: 50},
			"":     {Hosts: 1, Unknown: 1},
		},
		MissingByCVE: map[string][]string{"CVE-2024-0727": {"web_1"}, "CVE-2026-1": {"web_1"}, "CVE-2026-2": {"db_1", "web_1"}},
		MissingByKB:  map[string][]string{"KB5044284": {"win_1"}},
		MissingPatches: []model.MissingPatch{
			{ID: "KB5092641", Provider: "windowsupdate", Title: "2026-11 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5092641)",
				Severity: "Critical", Classification: "security", CVEs: []string{"CVE-2026-2"}, Hosts: []string{"win_1", "win_2"}, Failed: 1,
				Clients: map[string][]string{"acme": {"win_1"}, "": {"win_2"}}},
			{ID: "openssl", Provider: "apt", Classification: "security", CVEs: []string{"CVE-2024-0727"}, Hosts: []string{"web_1"},
				Clients: map[string][]string{"acme": {"web_1"}}},
		},
		Failures:       []model.Failure{{Host: "web_1", ActionID: "web_1/apt/curl", Message: "dpkg: error | exit status 100"}},
		PendingReboots: []string{"web_1"},
		RecentlyInstalled: []model.RecentInstall{
			{Host: "db_1", Provider: "apt", Package: "openssl", Version: "3.0.11-1~deb12u2", InstalledAt: time.Date(2026, 11, 22, 22, 4, 0, 0, time.UTC)},
			{Host: "web_1", Provider: "apt", Package: "zlib1g", Version: "1:1.2.13.dfsg-1", InstalledAt: time.Date(2026, 11, 22, 22, 4, 0, 0, time.UTC)},
		},
	}
}

func TestReportGolden(t *testing.T) {
	rich := richReports()
	tests := []struct {
		name   string
		render func(w *bytes.Buffer) error
	}{
		{"report_host", func(w *bytes.Buffer) error { return ReportJSON(w, &rich[2]) }},
		{"report_unknown", func(w *bytes.Buffer) error { return ReportJSON(w, &rich[1]) }},
		{"report_summary_json", func(w *bytes.Buffer) error { return SummaryJSON(w, richSummary()) }},
		{"report_summary_json_empty", func(w *bytes.Buffer) error {
			return SummaryJSON(w, &model.FleetSummary{GeneratedAt: reportNow})
		}},
		{"report_summary_md", func(w *bytes.Buffer) error { return SummaryMarkdown(w, richSummary(), rich) }},
		{"report_summary_md_empty", func(w *bytes.Buffer) error {
			return SummaryMarkdown(w, &model.FleetSummary{GeneratedAt: reportNow}, nil)
		}},
		{"report_text", func(w *bytes.Buffer) error { return ReportText(w, rich, richSummary()) }},
		{"report_summary_client_md", func(w *bytes.Buffer) error {
			s := richSummary()
			s.Client = "acme"
			return SummaryMarkdown(w, s, rich)
		}},
		{"history_text", func(w *bytes.Buffer) error { return HistoryText(w, historyEvents) }},
		{"history_text_empty", func(w *bytes.Buffer) error { return HistoryText(w, nil) }},
		{"history_json", func(w *bytes.Buffer) error { return HistoryJSON(w, historyEvents) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.render(&buf); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())
			var again bytes.Buffer
			if err := tt.render(&again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("output differs between two runs")
			}
		})
	}
}

// TestSummaryMarkdownBounded checks that a huge fleet still gives a small
// SUMMARY.md, with what was left out counted.
func TestSummaryMarkdownBounded(t *testing.T) {
	s := &model.FleetSummary{GeneratedAt: reportNow, Clients: map[string]model.Counts{},
		MissingByCVE: map[string][]string{}, MissingByKB: map[string][]string{}}
	var reports []model.Report
	var hosts []string
	for i := range 10000 {
		h := fmt.Sprintf("host_%05d", i)
		hosts = append(hosts, h)
		reports = append(reports, model.Report{Host: h, State: model.HostNonCompliant,
			Items: []model.Item{{State: model.ItemMissing}}})
		s.Clients[fmt.Sprintf("client_%d", i)] = model.Counts{Hosts: 1, NonCompliant: 1}
		s.MissingByCVE[fmt.Sprintf("CVE-2026-%05d", i)] = hosts
		s.MissingByKB[fmt.Sprintf("KB%d", i)] = []string{h}
		s.MissingPatches = append(s.MissingPatches, model.MissingPatch{ID: fmt.Sprintf("KB%d", i), Provider: "windowsupdate",
			Title: strings.Repeat("title ", 20), Hosts: hosts, Clients: map[string][]string{"": hosts}})
		s.Failures = append(s.Failures, model.Failure{Host: h, ActionID: h + "/apt/x", Message: strings.Repeat("long ", 1000)})
	}
	s.PendingReboots = hosts
	s.Hosts, s.NonCompliant = 10000, 10000
	var buf bytes.Buffer
	if err := SummaryMarkdown(&buf, s, reports); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > MaxMarkdown {
		t.Errorf("SUMMARY.md is %d bytes, want at most %d", buf.Len(), MaxMarkdown)
	}
	for _, want := range []string{"… 9,950 more", "… 9,995 more", "… 9,900 more", "CVE-2026-09999 | 10,000 |"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("SUMMARY.md lacks %q", want)
		}
	}
}

func TestReportNil(t *testing.T) {
	var buf bytes.Buffer
	if ReportJSON(&buf, nil) == nil || SummaryJSON(&buf, nil) == nil || SummaryMarkdown(&buf, nil, nil) == nil || ReportText(&buf, nil, nil) == nil {
		t.Error("nil input accepted")
	}
}

var historyEvents = []audit.Event{
	{At: reportNow, Host: "dc01", Client: "acme", Provider: "windowsupdate", Package: "KB5092641", What: "failed",
		Type: "install", To: "KB5092641", Status: model.StatusFailed, Message: "0x80240022 WU_E_ALL_UPDATES_FAILED\nsecond line",
		Policy: "acme_windows", Config: audit.Commit{ID: "9f2c1ab5e0c34d2a8c1b7e6f5a4d3c2b1a098765", Author: "Jane Admin <jane@example.com>",
			When: reportNow.Add(-time.Hour), Subject: "acme: approve the November CU"}, ReportsCommit: "0123456789abcdef0123456789abcdef01234567"},
	{At: reportNow.Add(-24 * time.Hour), Host: "web_1", Provider: "apt", Package: "openssl", What: "upgraded", Type: "upgrade",
		From: "3.0.11-1~deb12u1", To: "3.0.11-1~deb12u2", Status: model.StatusSucceeded, Policy: "linux_security",
		Config: audit.Commit{ID: "9f2c1ab5e0c34d2a8c1b7e6f5a4d3c2b1a098765"}, ReportsCommit: "fedcba9876543210fedcba9876543210fedcba98"},
	{At: reportNow.Add(-48 * time.Hour), Host: "db_1", Provider: "apt", Package: "(reboot)", What: "rebooted", Type: "reboot",
		Status: model.StatusSucceeded, Policy: "linux_security", ReportsCommit: "fedcba9876543210fedcba9876543210fedcba99"},
}
