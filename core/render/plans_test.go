package render

import (
	"fmt"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// Hand-made plans for the golden tests.

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// richPlan has every kind of thing a plan can hold: two providers, every
// action type, deferred updates with and without a date, skipped updates
// for several reasons, errors, open, closed and absent windows, a host that
// was never scanned, and strings that need escaping in Markdown.
func richPlan() *model.Plan {
	scanned := at("2026-11-23T09:59:58Z")
	weekendClosed := &model.WindowInfo{Name: "weekend_nights", Open: false, NextOpen: at("2026-11-28T22:00:00+01:00")}
	weekendOpen := &model.WindowInfo{Name: "weekend_nights", Open: true, NextOpen: at("2026-11-21T22:00:00+01:00"), ClosesAt: at("2026-11-23T04:00:00+01:00")}
	hosts := []model.HostPlan{
		{
			Host: "db_2", Provider: "apt", Policy: "linux_security", Ring: "broad",
			ScannedAt: scanned, Reboot: model.RebootNone,
			Actions: []model.Action{}, Deferred: []model.Deferred{}, Skipped: []model.Skipped{},
		},
		{
			Host: "edge_1", Provider: "apt", Policy: "edge_baseline",
			Reboot:  model.RebootNone,
			Actions: []model.Action{}, Deferred: []model.Deferred{}, Skipped: []model.Skipped{},
			Errors: []string{"no inventory for this host: scan it (tend scan --out snapshots) or add snapshots/edge_1/inventory.json"},
		},
		{
			Host: "web_1", Provider: "apt", Policy: "linux_security", Ring: "canary",
			Window: weekendOpen, ScannedAt: scanned, Reboot: model.RebootPlanned,
			Actions: []model.Action{
				{ID: "web_1/apt/htop", Type: model.ActionInstall, Package: "htop", To: "3.2.2-2",
					CVEs: []string{}, Reason: "approve[1]: packages=htop"},
				{ID: "web_1/apt/libfoo", Type: model.ActionHold, Package: "libfoo", From: "1.0-1", To: "1.0-1",
					CVEs: []string{}, Reason: "hold"},
				{ID: "web_1/apt/linux-image-amd64", Type: model.ActionUpgrade, Package: "linux-image-amd64",
					From: "6.1.115-1", To: "6.1.119-1", Classification: "security", Severity: "high",
					CVEs: []string{"CVE-2024-50264", "CVE-2024-53104"}, RebootRequired: true,
					Reason: "approve[0]: classification=security"},
				{ID: "web_1/apt/nginx", Type: model.ActionDowngrade, Package: "nginx",
					From: "1.22.1-9+deb12u1", To: "1.22.1-9", CVEs: []string{}, Reason: "pin nginx = 1.22.1-9"},
				{ID: "web_1/apt/openssl", Type: model.ActionUpgrade, Package: "openssl",
					From: "3.0.11-1~deb12u1", To: "3.0.11-1~deb12u2", Classification: "security",
					CVEs: []string{"CVE-2024-0727"}, Reason: "approve[0]: classification=security"},
				{ID: "web_1/apt/telnet", Type: model.ActionRemove, Package: "telnet", From: "0.17+2.4-2",
					CVEs: []string{}, Reason: "remove"},
				{ID: "web_1/apt/reboot", Type: model.ActionReboot, CVEs: []string{},
					Reason: "reboot = if_needed: linux-image-amd64 requires a reboot"},
			},
			Deferred: []model.Deferred{
				{Package: "curl", To: "7.88.1-10+deb12u9", Until: at("2026-11-26T00:00:00Z"),
					Reason: "approve[0]: after=3d (released 2026-11-23)"},
				{Package: "libssl3", To: "3.0.11-1~deb12u2",
					Reason: "ring canary has not finished"},
			},
			Skipped: []model.Skipped{
				{Package: "bash", To: "5.2.15-2+b8", Reason: "not approved by any approve block"},
				{Package: "linux-image-6.1.0-28-amd64", To: "6.1.119-1", Reason: `rejected by reject "linux-image-6.1.0-*"`},
				{Package: "postgresql-15", To: "15.10-0+deb12u1", Reason: "excluded until 2027-01-31: waiting for vendor certification"},
				{Package: "vim", To: "2:9.0.1378-2+deb12u1", Reason: "not approved by any approve block"},
				{Package: "zsh", To: "5.9-4+b5", Reason: "not approved by any approve block"},
			},
			Errors: []string{`pin redis = "7.0.99": the host's sources do not offer that version (they offer 7.0.15-1~deb12u1)`},
		},
		{
			Host: "web_2", Provider: "apt", Policy: "linux_security", Ring: "broad",
			Window: weekendClosed, ScannedAt: scanned, Reboot: model.RebootDeferred,
			Actions: []model.Action{},
			Deferred: []model.Deferred{
				{Package: "openssl", To: "3.0.11-1~deb12u2", Until: at("2026-11-28T22:00:00+01:00"),
					Reason: "window weekend_nights closed"},
			},
			Skipped: []model.Skipped{
				{Package: "vim", To: "2:9.0.1378-2+deb12u1", Reason: "not approved by any approve block"},
			},
		},
		{
			Host: "web_3", Provider: "apt", Policy: "linux_security", Ring: "broad",
			ScannedAt: scanned, Reboot: model.RebootNone,
			Actions: []model.Action{
				{ID: "web_3/apt/htop", Type: model.ActionInstall, Package: "htop", To: "3.2.2-2",
					CVEs: []string{}, Reason: "approve[1]: packages=htop"},
				{ID: "web_3/apt/openssl", Type: model.ActionUpgrade, Package: "openssl",
					From: "3.0.11-1~deb12u1", To: "3.0.11-1~deb12u2", Classification: "security",
					CVEs: []string{"CVE-2024-0727"}, Reason: "approve[0]: classification=security"},
			},
			Deferred: []model.Deferred{}, Skipped: []model.Skipped{},
		},
		{
			Host: "win_1", Provider: "windowsupdate", Policy: "windows_monthly", Ring: "pilot",
			Window:    &model.WindowInfo{Name: "after_patch_tuesday", Open: true, NextOpen: at("2026-11-12T22:00:00-05:00")},
			ScannedAt: scanned, Reboot: model.RebootPlanned,
			Actions: []model.Action{
				{ID: "win_1/windowsupdate/KB5046617", Type: model.ActionInstall, Package: "KB5046617", To: "KB5046617",
					Classification: "Security Updates", Severity: "Critical", KB: "KB5046617",
					CVEs:           []string{"CVE-2024-43447", "CVE-2024-43449", "CVE-2024-43451", "CVE-2024-43452", "CVE-2024-49039"},
					RebootRequired: true, Reason: "approve[0]: classification=Security Updates",
					Title: "2024-11 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5046617)"},
				{ID: "win_1/windowsupdate/msrt", Type: model.ActionInstall, Package: "Windows Malicious Software Removal Tool x64",
					To: "5.129", KB: "KB890830", Classification: "Update Rollups", CVEs: []string{},
					Reason: "approve[1]: classification=Update Rollups"},
				{ID: "win_1/windowsupdate/reboot", Type: model.ActionReboot, CVEs: []string{},
					Reason: "reboot = if_needed: KB5046617 requires a reboot"},
			},
			Deferred: []model.Deferred{},
			Skipped: []model.Skipped{
				{Package: "KB5045934", To: "KB5045934", Reason: "not approved by any approve block"},
			},
		},
		{
			Host: "win_2", Provider: "windowsupdate", Policy: "windows_monthly", Ring: "broad",
			Window:    &model.WindowInfo{Name: "after_patch_tuesday"},
			ScannedAt: scanned, Reboot: model.RebootSuppressed,
			Actions: []model.Action{
				{ID: "win_2/windowsupdate/contoso", Type: model.ActionUnhold, Package: "Contoso <Driver> | v2 *beta*",
					From: "2.0", To: "2.0", Classification: "Drivers", CVEs: []string{}, Reason: "unhold `contoso_*`"},
			},
			Deferred: []model.Deferred{},
			Skipped:  []model.Skipped{},
		},
	}
	return &model.Plan{
		FormatVersion: model.PlanFormatVersion,
		GeneratedAt:   *at("2026-11-23T10:00:00Z"),
		Config:        model.PlanConfig{Dir: "examples/msp-fleet", Commit: "9f2c1ab3d4e5f60718293a4b5c6d7e8f90a1b2c3"},
		Inventory:     model.PlanInventory{Source: "dir:examples/msp-fleet/snapshots"},
		Hosts:         hosts,
		Summary:       model.Summarize(hosts),
	}
}

func richWarnings() []model.Warning {
	return []model.Warning{
		{Where: "fleet.tend.hcl:40:3", Message: "exclusion expired on 2026-10-31; it no longer applies"},
		{Message: `host "edge_1": no inventory for this host <see tend scan>`},
	}
}

// emptyPlan has hosts, all up to date.
func emptyPlan() *model.Plan {
	hosts := []model.HostPlan{
		{Host: "db_1", Provider: "apt", Policy: "linux_security", ScannedAt: at("2026-11-23T09:00:00Z"),
			Reboot: model.RebootNone, Actions: []model.Action{}, Deferred: []model.Deferred{}, Skipped: []model.Skipped{}},
		{Host: "db_2", Provider: "apt", Policy: "linux_security", ScannedAt: at("2026-11-23T09:00:00Z"),
			Reboot: model.RebootNone, Actions: []model.Action{}, Deferred: []model.Deferred{}, Skipped: []model.Skipped{}},
	}
	return &model.Plan{
		FormatVersion: model.PlanFormatVersion,
		GeneratedAt:   *at("2026-11-23T10:00:00Z"),
		Config:        model.PlanConfig{Dir: "examples/quickstart", Commit: "abc1234"},
		Inventory:     model.PlanInventory{Source: "live"},
		Hosts:         hosts,
		Summary:       model.Summarize(hosts),
	}
}

// bigPlan is a generated fleet: hosts × actions each, over a few policies
// and rings, with every host changing.
func bigPlan(hosts, actions int) *model.Plan {
	list := make([]model.HostPlan, hosts)
	scanned := at("2026-11-23T09:00:00Z")
	win := &model.WindowInfo{Name: "nightly", Open: true, NextOpen: at("2026-11-22T22:00:00Z"), ClosesAt: at("2026-11-23T04:00:00Z")}
	for i := range list {
		name := fmt.Sprintf("host-%05d", i)
		h := model.HostPlan{
			Host: name, Provider: "apt", Policy: fmt.Sprintf("policy_%d", i%4), Ring: []string{"canary", "early", "broad"}[i%3],
			Window: win, ScannedAt: scanned, Reboot: model.RebootNone,
			Deferred: []model.Deferred{{Package: "curl", To: "7.88.1-10+deb12u9", Until: at("2026-11-26T00:00:00Z"), Reason: "approve[0]: after=3d"}},
			Skipped:  []model.Skipped{{Package: "vim", To: "2:9.0.1378-2+deb12u1", Reason: "not approved by any approve block"}},
		}
		for j := 0; j < actions; j++ {
			pkg := fmt.Sprintf("package-%02d", j)
			h.Actions = append(h.Actions, model.Action{
				ID: name + "/apt/" + pkg, Type: model.ActionUpgrade, Package: pkg,
				From: "1.0-1~deb12u1", To: fmt.Sprintf("1.0-1~deb12u%d", 2+i%5), Classification: "security",
				CVEs: []string{fmt.Sprintf("CVE-2026-%04d", j)}, Reason: "approve[0]: classification=security",
			})
		}
		list[i] = h
	}
	return &model.Plan{
		FormatVersion: model.PlanFormatVersion,
		GeneratedAt:   *at("2026-11-23T10:00:00Z"),
		Config:        model.PlanConfig{Dir: "fleet", Commit: "9f2c1ab3d4e5f60718293a4b5c6d7e8f90a1b2c3"},
		Inventory:     model.PlanInventory{Source: "git:origin/tend/reports"},
		Hosts:         list,
		Summary:       model.Summarize(list),
	}
}
