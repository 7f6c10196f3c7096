package notify

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

const eventsConf = `
host "web_1" {
  transport = "local"
  labels    = { client = "acme", env = "prod" }
}
host "web_2" {
  transport = "local"
  labels    = { client = "acme", env = "test" }
}
policy "web" {
  provider = "apt"
  targets  = [host.web_1, host.web_2]
  approve {}
  pin      = { nginx = "1.22.1-9" }
  exclude {
    packages = ["postgresql-*"]
    until    = "2026-12-05"
    reason   = "vendor certification"
  }
}
`

// TestEvents: each kind of condition a reconcile can see becomes its event,
// with the host's (or the policy's common) labels.
func TestEvents(t *testing.T) {
	cfg, diags := config.LoadSources("cfg", map[string][]byte{"cfg/main.tend.hcl": []byte(eventsConf)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	started := now.Add(-time.Hour)
	in := Input{Config: cfg, ConfigCommit: "abcdef1234", Now: now,
		Rejected:   &Rejection{Commit: "1234567890", State: "invalid", Problem: "configuration has 1 error", Diagnostics: []string{"main.tend.hcl:3:1: error: …"}},
		Summary:    &model.FleetSummary{HaltedRollouts: []string{"web"}, Failures: []model.Failure{{Host: "web_1", ActionID: "web_1/apt/nginx", Message: "dpkg failed"}}},
		ScanErrors: map[string]error{"web_2": errors.New("connection refused")},
		Reports: map[string]*model.Report{
			"web_1": {Host: "web_1", LastApply: &model.LastApply{StartedAt: started, Results: []model.ActionResult{
				{ActionID: "web_1/apt/nginx", Status: model.StatusFailed, Message: "dpkg failed"},
				{ActionID: "web_1/apt/app", Status: model.StatusRolledBack, Message: "rolled back"},
			}}, Items: []model.Item{
				{Provider: "apt", Package: "nginx", Installed: "1.22.1-10", State: model.ItemInstalledOther},
				{Provider: "apt", Package: "telnet", Installed: "0.17", State: model.ItemInstalledRejected},
				{Provider: "apt", Package: model.RebootItem, State: model.ItemInstalledPendingReboot},
			}},
		},
		Expiring: []Expiring{{Policy: "web", Reason: "quiet period", Until: now.Add(48 * time.Hour)}},
	}
	var got []string
	for _, e := range Events(in) {
		got = append(got, e.Kind+" "+e.Key()+" "+e.Labels["client"]+"/"+e.Labels["env"]+" | "+e.Summary+" | "+strings.Join(e.Details, "; "))
	}
	want := []string{
		"config_rejected config_rejected///1234567890 / | commit 1234567 was not applied (invalid): configuration has 1 error; the last good configuration stays in force | main.tend.hcl:3:1: error: …",
		"rollout_halted rollout_halted/web// acme/ | the rollout of policy web halted after too many failures; it waits for a new commit | web_1/apt/nginx: dpkg failed",
		"scan_failed scan_failed//web_2/ acme/test | web_2 could not be scanned | connection refused",
		"apply_failed apply_failed//web_1/ acme/prod | 1 action failed on web_1 | web_1/apt/nginx: dpkg failed",
		"health_check_failed health_check_failed//web_1/ acme/prod | web_1 failed its health check after an apply | web_1/apt/app: rolled back",
		"drift drift//web_1/ acme/prod | web_1 drifted from its policy | nginx is at 1.22.1-10, pinned to 1.22.1-9; telnet 0.17 is installed, and the policy rejects it",
		"reboot_pending reboot_pending//web_1/ acme/prod | web_1 waits for a reboot | ",
		"exclusion_expiring exclusion_expiring/web//0 acme/ | an exclusion of policy web ends on 2026-12-05 (vendor certification) | packages: postgresql-*",
		"suspend_expiring suspend_expiring/web//0 acme/ | a suspend ends on 2026-12-04 (quiet period) | ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestKindsMatchConfig: the kinds only_on accepts are the kinds there are.
func TestKindsMatchConfig(t *testing.T) {
	if diff := cmp.Diff(config.EventKinds, Kinds); diff != "" {
		t.Error(diff)
	}
}

// TestStale: with a sink, a declared host whose last successful scan is
// older than the lowest stale_after is stale since that scan, one never
// scanned is stale from when it is first seen; each sink routes it once
// its own stale_after has passed.
func TestStale(t *testing.T) {
	src := eventsConf + `
host "db_1" {
  transport = "local"
  labels    = { client = "globex" }
}
notify "ops" {
  type        = "webhook"
  url_env     = "HOOK"
  stale_after = "6h"
}
notify "client" {
  type    = "webhook"
  url_env = "HOOK"
}
`
	cfg, diags := config.LoadSources("cfg", map[string][]byte{"cfg/main.tend.hcl": []byte(src)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	fresh, old := now.Add(-2*time.Hour), now.Add(-30*time.Hour)
	in := Input{Config: cfg, Now: now,
		ScanErrors: map[string]error{"web_2": errors.New("connection refused")},
		Reports: map[string]*model.Report{
			"web_1": {Host: "web_1", ScannedAt: &fresh},
			"web_2": {Host: "web_2", ScannedAt: &old},
		},
	}
	var stale []Event
	var got []string
	for _, e := range Events(in) {
		if e.Kind == KindStale {
			stale = append(stale, e)
			got = append(got, e.Key()+" "+e.Labels["client"]+" | "+e.Summary+" | "+strings.Join(e.Details, "; "))
		}
	}
	want := []string{
		"stale//db_1/ globex | db_1 has never been scanned | ",
		"stale//web_2/ acme | web_2 has not been scanned since 2026-12-01 06:00 UTC | last attempt: connection refused",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("stale events (-want +got):\n%s", diff)
	}
	if stale[1].Since == nil || !stale[1].Since.Equal(old) {
		t.Errorf("since = %v, want the last scan", stale[1].Since)
	}
	specs := Specs(cfg)
	client, ops := specs[0], specs[1]
	if ops.StaleAfter != 6*time.Hour || client.StaleAfter != config.DefaultStaleAfter {
		t.Fatalf("stale_after: ops %v, client %v", ops.StaleAfter, client.StaleAfter)
	}
	if !ops.Routes(&stale[1], now) || !client.Routes(&stale[1], now) {
		t.Error("30h without a scan: both sinks route it")
	}
	first := now.Add(-8 * time.Hour) // db_1 first seen stale 8h ago
	stale[0].Since = &first
	if !ops.Routes(&stale[0], now) || client.Routes(&stale[0], now) {
		t.Error("never scanned for 8h: ops (6h) routes it, client (24h) not yet")
	}
}
