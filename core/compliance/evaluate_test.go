package compliance

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

var (
	scanned = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	now     = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
)

// snapshot is web_1's inventory: openssl and nginx installed, an openssl
// update available.
func snapshot(pendingReboot bool) map[string]*model.Snapshot {
	return map[string]*model.Snapshot{"web_1": {
		FormatVersion: "1", Host: "web_1", ScannedAt: scanned,
		Providers: map[string]*model.ProviderInventory{"apt": {
			PendingReboot: pendingReboot,
			Installed: []model.Installed{
				{ID: "openssl", Name: "openssl", Version: "3.0.1"},
				{ID: "nginx", Name: "nginx", Version: "1.22"},
			},
			Available: []model.Update{{ID: "openssl", Name: "openssl", From: "3.0.1", To: "3.0.2",
				Classification: "security", CVEs: []string{"CVE-2026-1"}, KB: "KB1"}},
		}},
	}}
}

func hostPlan(mod func(*model.HostPlan)) *model.Plan {
	t := scanned
	hp := model.HostPlan{Host: "web_1", Provider: "apt", ScannedAt: &t}
	if mod != nil {
		mod(&hp)
	}
	return &model.Plan{Hosts: []model.HostPlan{hp}}
}

var opensslAction = model.Action{ID: "web_1/apt/openssl", Type: model.ActionUpgrade, Package: "openssl",
	From: "3.0.1", To: "3.0.2", Classification: "security", CVEs: []string{"CVE-2026-1"}, KB: "KB1"}

var opensslMissing = model.Item{Provider: "apt", Package: "openssl", Installed: "3.0.1", Required: "3.0.2",
	State: model.ItemMissing, Classification: "security", CVEs: []string{"CVE-2026-1"}, KB: "KB1"}

func TestEvaluateRules(t *testing.T) {
	failedOpenssl := opensslMissing
	failedOpenssl.State = model.ItemFailed
	newInstall := model.Item{Provider: "apt", Package: "curl", Required: "7.88", State: model.ItemMissing, CVEs: []string{}}
	tests := []struct {
		name      string
		plan      *model.Plan
		reboot    bool
		last      *model.LastApply
		wantState string
		want      []model.Item
	}{
		{"nothing to do", hostPlan(nil), false, nil, model.HostCompliant, []model.Item{}},
		{"action is missing", hostPlan(func(hp *model.HostPlan) {
			hp.Actions = []model.Action{opensslAction}
		}), false, nil, model.HostNonCompliant, []model.Item{opensslMissing}},
		{"new install has no installed version", hostPlan(func(hp *model.HostPlan) {
			hp.Actions = []model.Action{{ID: "web_1/apt/curl", Type: model.ActionInstall, Package: "curl", To: "7.88"}}
		}), false, nil, model.HostNonCompliant, []model.Item{newInstall}},
		{"reboot action is no item", hostPlan(func(hp *model.HostPlan) {
			hp.Actions = []model.Action{{ID: "web_1/apt/reboot", Type: model.ActionReboot}}
		}), false, nil, model.HostCompliant, []model.Item{}},
		{"deferred by window is missing", hostPlan(func(hp *model.HostPlan) {
			hp.Deferred = []model.Deferred{{Package: "openssl", To: "3.0.2", Cause: model.DeferWindow}}
		}), false, nil, model.HostNonCompliant, []model.Item{opensslMissing}},
		{"deferred by ring is missing", hostPlan(func(hp *model.HostPlan) {
			hp.Deferred = []model.Deferred{{Package: "openssl", To: "3.0.2", Cause: model.DeferRing}}
		}), false, nil, model.HostNonCompliant, []model.Item{opensslMissing}},
		{"approval delay not passed: not required yet", hostPlan(func(hp *model.HostPlan) {
			hp.Deferred = []model.Deferred{{Package: "openssl", To: "3.0.2", Cause: model.DeferDelay, Reason: "approve[0]: after=3d"}}
		}), false, nil, model.HostCompliant, []model.Item{
			{Provider: "apt", Package: "openssl", Installed: "3.0.1", State: model.ItemInstalledOther, CVEs: []string{},
				Detail: "3.0.2 approved, not required yet: approve[0]: after=3d"}}},
		{"failed in last apply", hostPlan(func(hp *model.HostPlan) {
			hp.Actions = []model.Action{opensslAction}
		}), false, &model.LastApply{Results: []model.ActionResult{{ActionID: "web_1/apt/openssl", Status: model.StatusFailed}}},
			model.HostNonCompliant, []model.Item{failedOpenssl}},
		{"interrupted in last apply", hostPlan(func(hp *model.HostPlan) {
			hp.Deferred = []model.Deferred{{Package: "openssl", To: "3.0.2", Cause: model.DeferWindow}}
		}), false, &model.LastApply{Results: []model.ActionResult{{ActionID: "web_1/apt/openssl", Status: model.StatusInterrupted}}},
			model.HostNonCompliant, []model.Item{failedOpenssl}},
		{"rolled back in last apply", hostPlan(func(hp *model.HostPlan) {
			hp.Actions = []model.Action{opensslAction}
		}), false, &model.LastApply{Results: []model.ActionResult{{ActionID: "web_1/apt/openssl", Status: model.StatusRolledBack}}},
			model.HostNonCompliant, []model.Item{failedOpenssl}},
		{"failed but no longer available", hostPlan(nil), false,
			&model.LastApply{Results: []model.ActionResult{{ActionID: "web_1/apt/openssl", Status: model.StatusFailed}}},
			model.HostCompliant, []model.Item{}},
		{"installed rejected", hostPlan(func(hp *model.HostPlan) {
			hp.Skipped = []model.Skipped{{Package: "nginx", Reason: `installed version 1.22 matches reject "nginx"`}}
		}), false, nil, model.HostNonCompliant, []model.Item{
			{Provider: "apt", Package: "nginx", Installed: "1.22", State: model.ItemInstalledRejected, CVEs: []string{}}}},
		{"rejected version read from the reason", hostPlan(func(hp *model.HostPlan) {
			hp.Skipped = []model.Skipped{{Package: "gone", Reason: `installed version 9.9 matches reject "go*"`}}
		}), false, nil, model.HostNonCompliant, []model.Item{
			{Provider: "apt", Package: "gone", Installed: "9.9", State: model.ItemInstalledRejected, CVEs: []string{}}}},
		{"skipped updates of installed packages are installed_other", hostPlan(func(hp *model.HostPlan) {
			hp.Skipped = []model.Skipped{
				{Package: "openssl", To: "3.0.2", Reason: "not approved by any approve block"},
				{Package: "nginx", To: "1.24", Reason: "excluded"},
				{Package: "curl", To: "7.89", Reason: "pinned to 7.88"}, // not installed: no item
			}
		}), false, nil, model.HostCompliant, []model.Item{
			{Provider: "apt", Package: "nginx", Installed: "1.22", State: model.ItemInstalledOther, CVEs: []string{},
				Detail: "1.24 available: excluded"},
			{Provider: "apt", Package: "openssl", Installed: "3.0.1", State: model.ItemInstalledOther, CVEs: []string{},
				Detail: "3.0.2 available: not approved by any approve block"}}},
		{"pending reboot", hostPlan(nil), true, nil, model.HostNonCompliant, []model.Item{
			{Provider: "apt", Package: "(reboot)", State: model.ItemInstalledPendingReboot, CVEs: []string{}}}},
		{"not scanned", hostPlan(func(hp *model.HostPlan) { hp.ScannedAt = nil }), false, nil, model.HostUnknown, []model.Item{}},
		{"scanned, but not by this provider", hostPlan(func(hp *model.HostPlan) { hp.Provider = "winget" }), false, nil, model.HostUnknown, []model.Item{}},
		{"sorted by provider and package", &model.Plan{Hosts: []model.HostPlan{
			{Host: "web_1", Provider: "winget", ScannedAt: &scanned, Actions: []model.Action{{Type: model.ActionInstall, Package: "a", To: "1"}}},
			{Host: "web_1", Provider: "apt", ScannedAt: &scanned, Actions: []model.Action{opensslAction, {Type: model.ActionInstall, Package: "curl", To: "7.88"}}},
		}}, false, nil, model.HostNonCompliant, []model.Item{
			newInstall, opensslMissing,
			{Provider: "winget", Package: "a", Required: "1", State: model.ItemMissing, CVEs: []string{}}}},
		{"two policies: the worse state wins", &model.Plan{Hosts: []model.HostPlan{
			{Host: "web_1", Provider: "apt", ScannedAt: &scanned, Deferred: []model.Deferred{{Package: "openssl", To: "3.0.2", Cause: model.DeferDelay}}},
			{Host: "web_1", Provider: "apt", ScannedAt: &scanned, Actions: []model.Action{opensslAction}},
		}}, false, nil, model.HostNonCompliant, []model.Item{opensslMissing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			last := map[string]*model.LastApply{"web_1": tt.last}
			reports, _ := Evaluate(Input{Plan: tt.plan, Inventory: snapshot(tt.reboot), LastApply: last, ConfigCommit: "abc", Now: now})
			if len(reports) != 1 {
				t.Fatalf("got %d reports, want 1", len(reports))
			}
			r := reports[0]
			if r.State != tt.wantState {
				t.Errorf("state = %q, want %q", r.State, tt.wantState)
			}
			if diff := cmp.Diff(tt.want, r.Items); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if r.FormatVersion != "1" || r.ConfigCommit != "abc" || r.Host != "web_1" || r.LastApply != tt.last {
				t.Errorf("header = %+v", r)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	reports := []model.Report{
		{Host: "a", ScannedAt: &scanned, State: model.HostNonCompliant, Items: []model.Item{
			{Provider: "windowsupdate", Package: "KB9", State: model.ItemMissing, CVEs: []string{"CVE-2", "CVE-1"}, KB: "KB9",
				Title: "Update KB9", Severity: "Important", Classification: "security"},
			{State: model.ItemInstalledPendingReboot}},
			LastApply: &model.LastApply{Results: []model.ActionResult{
				{ActionID: "a/apt/x", Status: model.StatusFailed, Message: "boom"},
				{ActionID: "a/apt/y", Status: model.StatusSucceeded}}}},
		{Host: "b", ScannedAt: &scanned, State: model.HostNonCompliant, Items: []model.Item{
			{Provider: "apt", Package: "curl", State: model.ItemFailed, CVEs: []string{"CVE-1"}},
			{Provider: "windowsupdate", Package: "KB7", KB: "KB7", State: model.ItemMissing, CVEs: []string{}, Severity: "Critical"},
			{State: model.ItemInstalledRejected, CVEs: []string{"CVE-3"}}}},
		{Host: "c", ScannedAt: &scanned, State: model.HostCompliant},
		{Host: "d", State: model.HostUnknown},
	}
	s := Summarize(reports, map[string]string{"a": "acme", "c": "acme"}, "abc", now)
	want := model.FleetSummary{
		GeneratedAt: now, ConfigCommit: "abc",
		Counts: model.Counts{Hosts: 4, Compliant: 1, NonCompliant: 2, Unknown: 1, CompliancePercent: 33.3},
		Clients: map[string]model.Counts{
			"acme": {Hosts: 2, Compliant: 1, NonCompliant: 1, CompliancePercent: 50},
			"":     {Hosts: 2, NonCompliant: 1, Unknown: 1, CompliancePercent: 0},
		},
		MissingByCVE: map[string][]string{"CVE-1": {"a", "b"}, "CVE-2": {"a"}},
		MissingByKB:  map[string][]string{"KB9": {"a"}, "KB7": {"b"}},
		MissingPatches: []model.MissingPatch{ // most severe first, then most hosts
			{ID: "KB7", Provider: "windowsupdate", Severity: "Critical", CVEs: []string{}, Hosts: []string{"b"},
				Clients: map[string][]string{"": {"b"}}},
			{ID: "KB9", Provider: "windowsupdate", Title: "Update KB9", Severity: "Important", Classification: "security",
				CVEs: []string{"CVE-1", "CVE-2"}, Hosts: []string{"a"}, Clients: map[string][]string{"acme": {"a"}}},
			{ID: "curl", Provider: "apt", CVEs: []string{"CVE-1"}, Hosts: []string{"b"}, Failed: 1,
				Clients: map[string][]string{"": {"b"}}},
		},
		Failures:       []model.Failure{{Host: "a", ActionID: "a/apt/x", Message: "boom"}},
		PendingReboots: []string{"a"}, HaltedRollouts: []string{}, RecentlyInstalled: []model.RecentInstall{},
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		compliant, non int
		want           float64
	}{
		{0, 0, 0}, {8, 5, 61.5}, {1, 2, 33.3}, {2, 1, 66.7}, {1, 0, 100}, {1, 7, 12.5}, {1, 15, 6.3},
	}
	for _, tt := range tests {
		if got := percent(model.Counts{Compliant: tt.compliant, NonCompliant: tt.non}); got != tt.want {
			t.Errorf("percent(%d, %d) = %v, want %v", tt.compliant, tt.non, got, tt.want)
		}
	}
}

func TestEvaluateEmpty(t *testing.T) {
	reports, s := Evaluate(Input{Now: now})
	if len(reports) != 0 || s.Hosts != 0 || s.Failures == nil || s.PendingReboots == nil {
		t.Errorf("reports = %v, summary = %+v", reports, s)
	}
}

// A package the package manager left unfinished fails the host, even with
// nothing planned for it, and is among the fleet's failures.
func TestUnfinishedPackageFails(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	snap := &model.Snapshot{Host: "a", ScannedAt: now, Providers: map[string]*model.ProviderInventory{"apt": {
		Unfinished: []model.Unfinished{{Name: "openssl", Version: "3.0.20-2", State: "half-configured"}},
	}}}
	plan := &model.Plan{Hosts: []model.HostPlan{{Host: "a", Provider: "apt", Policy: "p", ScannedAt: &now}}}
	reports, sum := Evaluate(Input{Plan: plan, Inventory: map[string]*model.Snapshot{"a": snap}, Now: now})
	if len(reports) != 1 || reports[0].State != model.HostNonCompliant || len(reports[0].Items) != 1 {
		t.Fatalf("reports: %+v", reports)
	}
	it := reports[0].Items[0]
	if it.Package != "openssl" || it.State != model.ItemFailed || it.Installed != "3.0.20-2" || !strings.Contains(it.Detail, "half-configured") {
		t.Fatalf("item: %+v", it)
	}
	if len(sum.Failures) != 1 || sum.Failures[0].ActionID != "a/apt/openssl" || !strings.Contains(sum.Failures[0].Message, "half-configured") {
		t.Fatalf("failures: %+v", sum.Failures)
	}
}
