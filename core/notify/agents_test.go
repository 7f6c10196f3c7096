package notify

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

// TestAgentEvents: each unmanaged agent is an unmanaged_agent event whose
// state does not change with its hellos (sent once while it lasts); each
// silent agent host an agent_stale event whose state is its last hello
// (sent again when it goes silent anew).
func TestAgentEvents(t *testing.T) {
	cfg, diags := config.LoadSources("cfg", map[string][]byte{"cfg/main.tend.hcl": []byte(`
host "lap_1" {
  transport = "agent"
  labels    = { client = "acme" }
}
`)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	first, last, silent := now.Add(-26*time.Hour), now.Add(-time.Minute), now.Add(-5*time.Hour)
	in := Input{Config: cfg, Now: now, Agents: &model.AgentPresence{StaleAfter: "3h",
		Unmanaged: []model.UnmanagedAgent{
			{Host: "kiosk", Enrolled: true},
			{Host: "stray", Client: "acme", FirstSeen: &first, LastSeen: &last, AgentVersion: "0.9.0",
				Labels: map[string]string{"client": "acme"}, Facts: map[string]string{"os": "debian", "release": "12"}},
		},
		Stale: []model.StaleAgent{{Host: "lap_1", Client: "acme", LastSeen: &silent}, {Host: "lap_2"}},
	}}
	var got []string
	events := Events(in)
	for _, e := range events {
		got = append(got, e.Kind+" "+e.Key()+" "+e.Labels["client"]+" | "+e.Summary+" | "+strings.Join(e.Details, "; "))
	}
	want := []string{
		"unmanaged_agent unmanaged_agent//kiosk/  | an agent runs for kiosk, which no host block or hosts file declares: nothing patches or reports it | its key is enrolled; declare it in a pull request: tend hosts export --unmanaged prints its hosts-file entry",
		"unmanaged_agent unmanaged_agent//stray/ acme | an agent runs for stray, which no host block or hosts file declares: nothing patches or reports it | last hello: 2026-12-02T11:59:00Z; agent version: 0.9.0; facts: os=debian release=12; declare it in a pull request: tend hosts export --unmanaged prints its hosts-file entry",
		"agent_stale agent_stale//lap_1/ acme | the agent of lap_1 has not been heard from since 2026-12-02 07:00 UTC (longer than 3h) | ",
		"agent_stale agent_stale//lap_2/  | the agent of lap_2 has never been heard from (for longer than 3h) | ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	// A later hello changes the details, not the condition.
	later := now.Add(time.Minute)
	in.Agents.Unmanaged[1].LastSeen, in.Now = &later, later
	again := Events(in)
	if events[1].Fingerprint() != again[1].Fingerprint() {
		t.Error("an unmanaged agent's next hello changed its condition: it would be sent again")
	}
	if events[1].Since == nil || !events[1].Since.Equal(first) {
		t.Errorf("since = %v, want the first hello", events[1].Since)
	}
	// Heard from again and silent anew: another condition.
	newer := now.Add(-4 * time.Hour)
	in.Agents.Stale[0].LastSeen = &newer
	if Events(in)[2].Fingerprint() == events[2].Fingerprint() {
		t.Error("a host that went silent anew kept its condition: it would not be sent again")
	}
}
