package render

import (
	"bytes"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// agentSummary is a fleet summary in agent mode: two unmanaged agents
// (one only enrolled) and two silent agent hosts (one never heard from).
func agentSummary() *model.FleetSummary {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	first, last, silent := now.Add(-26*time.Hour+123*time.Millisecond), now.Add(-time.Minute), now.Add(-5*time.Hour)
	return &model.FleetSummary{GeneratedAt: now, ConfigCommit: "9f2c4e1d0b", Counts: model.Counts{Hosts: 2, Unknown: 2},
		Agents: &model.AgentPresence{StaleAfter: "3h",
			Unmanaged: []model.UnmanagedAgent{
				{Host: "kiosk", Enrolled: true},
				{Host: "stray_1", Client: "acme", FirstSeen: &first, LastSeen: &last, AgentVersion: "0.9.0", Groups: []string{"web"},
					Labels: map[string]string{"client": "acme"}, Facts: map[string]string{"os": "debian", "release": "12", "kernel": "6.1.0-27-amd64", "arch": "amd64"}},
			},
			Stale:    []model.StaleAgent{{Host: "lap_1", Client: "acme", LastSeen: &silent}, {Host: "lap_2"}},
			LastSeen: map[string]time.Time{"lap_1": silent},
		}}
}

// TestSummaryAgents: SUMMARY.md's unmanaged and silent agent sections and
// summary.json's "agents" (times in whole seconds, LastSeen left out).
func TestSummaryAgents(t *testing.T) {
	var md, js bytes.Buffer
	if err := SummaryMarkdown(&md, agentSummary(), nil); err != nil {
		t.Fatal(err)
	}
	golden(t, "report_summary_agents_md", md.Bytes())
	if err := SummaryJSON(&js, agentSummary()); err != nil {
		t.Fatal(err)
	}
	golden(t, "report_summary_agents_json", js.Bytes())
}

// TestReportAgent: report.json's "agent" of an agent host.
func TestReportAgent(t *testing.T) {
	seen := time.Date(2026, 12, 2, 7, 0, 0, 5, time.UTC)
	var b bytes.Buffer
	if err := ReportJSON(&b, &model.Report{FormatVersion: "1", Host: "lap_1", State: model.HostUnknown,
		Agent: &model.AgentStatus{LastSeen: &seen, Stale: true}}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte(`"agent": {
    "last_seen": "2026-12-02T07:00:00Z",
    "stale": true
  }`)) {
		t.Errorf("report.json:\n%s", b.String())
	}
}
