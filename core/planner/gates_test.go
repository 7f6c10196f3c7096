package planner

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

const wednesday = `
window "wednesday" {
  schedule = "0 3 * * WED"
  duration = "2h"
}
`

const yearEnd = `
freeze "year_end" {
  from   = "2026-11-20"
  until  = "2026-11-30"
  reason = "client freeze"
}
`

func TestSeveralWindows(t *testing.T) {
	s := snap("web_1", []string{"openssl=3.0.11-1"}, sec("openssl", "3.0.11-1", "3.0.11-2"))
	approve := "approve { classification = [\"security\"] }\n"
	both := approve + "window = [window.weekend, window.wednesday]"
	runRuleCases(t, []ruleCase{{
		name: "all closed: deferred until the first to open", policy: both, extra: weekend + wednesday, snap: s,
		now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred openssl 3.0.11-2 until 2026-11-25T03:00:00Z: windows weekend, wednesday all closed",
			"reboot: none",
		},
	}, {
		name: "any open one lets the policy act", policy: both, extra: weekend + wednesday, snap: s,
		now: "2026-11-25T03:30:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: none",
		},
	}, {
		name: "the other one too", policy: both, extra: weekend + wednesday, snap: s,
		now: "2026-11-28T22:30:00+01:00",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: none",
		},
	}, {
		name: "a list of one is one window", policy: approve + "window = [window.weekend]", extra: weekend, snap: s,
		now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred openssl 3.0.11-2 until 2026-11-28T21:00:00Z: window weekend closed",
			"reboot: none",
		},
	}})
}

func TestFreezes(t *testing.T) {
	s := snap("web_1", []string{"openssl=3.0.11-1"}, sec("openssl", "3.0.11-1", "3.0.11-2"))
	approve := "approve { classification = [\"security\"] }\n"
	pending := snap("web_1", []string{"openssl=3.0.11-2"})
	pending.Providers["apt"].PendingReboot = true
	runRuleCases(t, []ruleCase{{
		name: "a freeze holds a policy without windows", policy: approve, extra: yearEnd, snap: s,
		now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred openssl 3.0.11-2 until 2026-12-01T00:00:00Z: frozen by freeze year_end until 2026-11-30: client freeze",
			"reboot: none",
		},
	}, {
		name: "frozen now, then the next opening after the freeze", policy: approve + "window = window.weekend",
		extra: weekend + yearEnd, snap: s, now: "2026-11-28T22:30:00+01:00",
		want: []string{
			"deferred openssl 3.0.11-2 until 2026-12-05T21:00:00Z: frozen by freeze year_end until 2026-11-30: client freeze",
			"reboot: none",
		},
	}, {
		name: "a freeze over the next opening pushes to the one after", policy: approve + "window = window.weekend",
		extra: weekend + "freeze \"sat\" {\n from = \"2026-11-28\"\n until = \"2026-11-29\"\n reason = \"launch\"\n}\n",
		snap:  s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred openssl 3.0.11-2 until 2026-12-05T21:00:00Z: window weekend closed; frozen by freeze sat until 2026-11-29: launch",
			"reboot: none",
		},
	}, {
		name: "a delay, then a freeze, then the window", policy: "approve {\n classification = [\"security\"]\n after = \"14d\"\n}\nwindow = window.weekend",
		extra: weekend + "freeze \"dec\" {\n from = \"2026-11-24\"\n until = \"2026-12-06\"\n reason = \"launch\"\n}\n",
		snap:  s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred openssl 3.0.11-2 until 2026-12-12T21:00:00Z: approve[0]: classification=security, after=14d (released 2026-11-10); then window weekend, freeze dec",
			"reboot: none",
		},
	}, {
		name: "emergency policies ignore freezes", policy: approve + "emergency = true", extra: yearEnd, snap: s,
		now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: none",
		},
	}, {
		name: "a freeze of other hosts", policy: approve,
		extra: "host \"db_1\" {\n transport = \"local\"\n}\nfreeze \"db\" {\n from = \"2026-11-20\"\n until = \"2026-11-30\"\n reason = \"migration\"\n targets = [host.db_1]\n}\n",
		snap:  s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: none",
		},
		// db_1 is declared only for the freeze to target it.
		warns: []string{`no policy targets host "db_1": tend never patches it, and reports count it ungoverned`},
	}, {
		name: "after the freeze", policy: approve, extra: yearEnd, snap: s,
		now: "2026-12-01T00:00:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: none",
		},
	}, {
		name: "a pending reboot waits out the freeze", policy: approve, extra: yearEnd, snap: pending,
		now:  "2026-11-23T10:00:00Z",
		want: []string{"reboot: deferred"},
	}})
}

func TestSuspend(t *testing.T) {
	s := snap("web_1", []string{"openssl=3.0.11-1"}, sec("openssl", "3.0.11-1", "3.0.11-2"))
	approve := "approve { classification = [\"security\"] }\n"
	suspend := "suspend {\n until = \"2026-12-31\"\n reason = \"client audit\"\n}\n"
	pending := snap("web_1", []string{"openssl=3.0.11-2"})
	pending.Providers["apt"].PendingReboot = true
	runRuleCases(t, []ruleCase{{
		name: "a suspended policy applies nothing", policy: approve + suspend, snap: s,
		now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred openssl 3.0.11-2 until 2027-01-01T00:00:00Z: policy p suspended until 2026-12-31: client audit",
			"reboot: none",
		},
	}, {
		name: "emergency policies too", policy: approve + suspend + "emergency = true", snap: s,
		now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred openssl 3.0.11-2 until 2027-01-01T00:00:00Z: policy p suspended until 2026-12-31: client audit",
			"reboot: none",
		},
	}, {
		name: "then the window", policy: approve + suspend + "window = window.weekend", extra: weekend, snap: s,
		now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred openssl 3.0.11-2 until 2027-01-02T21:00:00Z: policy p suspended until 2026-12-31: client audit; then window weekend",
			"reboot: none",
		},
	}, {
		name: "no reboot either", policy: approve + suspend, snap: pending,
		now:  "2026-11-23T10:00:00Z",
		want: []string{"reboot: deferred"},
	}, {
		name: "an expired suspension warns and applies", policy: approve + suspend, snap: s,
		now: "2027-01-01T00:00:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: none",
		},
		warns: []string{`suspension of policy "p" expired (until 2026-12-31, "client audit"); it is applied again`},
	}})
}

func TestSuspendedHostAndPlanInfo(t *testing.T) {
	cfg := loadConfig(t, `
host "web_1" {
  transport = "local"
  suspend {
    until  = "2026-12-31"
    reason = "decommissioning"
  }
}
host "web_2" {
  transport = "local"
}
freeze "year_end" {
  from    = "2026-11-20"
  until   = "2026-11-30"
  reason  = "client freeze"
  targets = [host.web_2]
}
policy "p" {
  provider = "apt"
  targets  = [host.web_1, host.web_2]
  approve { classification = ["security"] }
}
`)
	u := sec("openssl", "3.0.11-1", "3.0.11-2")
	inv := map[string]*model.Snapshot{
		"web_1": snap("web_1", []string{"openssl=3.0.11-1"}, u),
		"web_2": snap("web_2", []string{"openssl=3.0.11-1"}, u),
	}
	now := at(t, "2026-11-23T10:00:00Z")
	pl, _ := Plan(Input{Config: cfg, Inventory: inv, Now: now})
	h1, h2 := host(t, pl, "web_1"), host(t, pl, "web_2")
	want := []string{"deferred openssl 3.0.11-2 until 2027-01-01T00:00:00Z: host web_1 suspended until 2026-12-31: decommissioning", "reboot: none"}
	if diff := cmp.Diff(want, lines(h1)); diff != "" {
		t.Errorf("web_1 (-want +got):\n%s", diff)
	}
	wantSusp := &model.SuspendInfo{Of: "host", Until: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Reason: "decommissioning"}
	if diff := cmp.Diff(wantSusp, h1.Suspended); diff != "" || h1.Freeze != nil {
		t.Errorf("web_1 suspended (-want +got):\n%s\nfreeze %+v", diff, h1.Freeze)
	}
	wantFreeze := &model.FreezeInfo{Name: "year_end", From: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
		Until: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Reason: "client freeze"}
	if diff := cmp.Diff(wantFreeze, h2.Freeze); diff != "" || h2.Suspended != nil {
		t.Errorf("web_2 freeze (-want +got):\n%s\nsuspended %+v", diff, h2.Suspended)
	}
	if h2.Deferred[0].Cause != model.DeferFreeze || h1.Deferred[0].Cause != model.DeferSuspend {
		t.Errorf("causes = %q, %q", h1.Deferred[0].Cause, h2.Deferred[0].Cause)
	}
	_, warns := Plan(Input{Config: cfg, Inventory: inv, Now: at(t, "2027-01-02T00:00:00Z")})
	if len(warns) != 1 || warns[0].Message != `suspension of host "web_1" expired (until 2026-12-31, "decommissioning"); it is applied again` {
		t.Errorf("warnings = %+v", warns)
	}
}

// TestFastLaneHeldByFreeze: the fast lane skips the windows, not a freeze.
func TestFastLaneHeldByFreeze(t *testing.T) {
	s := snap("web_1", []string{"libwebp7=1.2.4-0.2"},
		cveUpdate("libwebp7", "1.2.4-0.2", "1.2.4-0.2+deb12u1", "CVE-2023-4863"))
	policy := "approve { classification = [\"security\"] }\n window = window.weekend\n fast_lane { kev = true }\n}\n" + yearEnd + "\npolicy \"unused\" {\n provider = \"apt\"\n targets = []\n approve {}"
	hp := planVulns(t, policy, "2026-11-23T10:00:00Z", s)
	want := []string{
		"deferred libwebp7 1.2.4-0.2+deb12u1 until 2026-12-01T00:00:00Z: frozen by freeze year_end until 2026-11-30: client freeze",
		"reboot: none",
	}
	if diff := cmp.Diff(want, lines(hp)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}
