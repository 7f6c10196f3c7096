package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/render/diagnostics"
)

// scannedAt is when every test snapshot was taken.
var scannedAt = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

func loadConfig(t *testing.T, src string) *config.Config {
	t.Helper()
	cfg, diags := config.LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(src)}, os.ReadFile)
	if diags.HasErrors() {
		var buf bytes.Buffer
		_ = diagnostics.Write(&buf, diags, cfg.Sources)
		t.Fatalf("config errors:\n%s", buf.String())
	}
	return cfg
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// snap builds an apt snapshot; items are "name=version" installed, updates
// are upd values.
func snap(host string, installed []string, updates ...model.Update) *model.Snapshot {
	p := &model.ProviderInventory{Facts: map[string]string{"os": "debian"}}
	for _, it := range installed {
		name, ver, _ := strings.Cut(it, "=")
		p.Installed = append(p.Installed, model.Installed{ID: name, Name: name, Version: ver, Arch: "amd64"})
	}
	for _, u := range updates {
		if u.ID == "" {
			u.ID = u.Name
		}
		p.Available = append(p.Available, u)
	}
	return &model.Snapshot{FormatVersion: "1", Host: host, ScannedAt: scannedAt, Providers: map[string]*model.ProviderInventory{"apt": p}}
}

func sec(name, from, to string) model.Update {
	return model.Update{Name: name, From: from, To: to, Classification: "security", CVEs: []string{"CVE-2026-0001"},
		ReleasedAt: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)}
}

func other(name, from, to string) model.Update {
	return model.Update{Name: name, From: from, To: to, Classification: "other",
		ReleasedAt: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)}
}

// lines renders a host plan compactly for comparison.
func lines(hp model.HostPlan) []string {
	var out []string
	for _, a := range hp.Actions {
		out = append(out, fmt.Sprintf("%s %s %s->%s: %s", a.Type, a.Package, a.From, a.To, a.Reason))
	}
	for _, d := range hp.Deferred {
		until := "?"
		if d.Until != nil {
			until = d.Until.UTC().Format(time.RFC3339)
		}
		out = append(out, fmt.Sprintf("deferred %s %s until %s: %s", d.Package, d.To, until, d.Reason))
	}
	for _, s := range hp.Skipped {
		out = append(out, fmt.Sprintf("skipped %s %s: %s", s.Package, s.To, s.Reason))
	}
	for _, e := range hp.Errors {
		out = append(out, "error: "+e)
	}
	out = append(out, "reboot: "+hp.Reboot)
	return out
}

func host(t *testing.T, p *model.Plan, name string) model.HostPlan {
	t.Helper()
	for _, h := range p.Hosts {
		if h.Host == name {
			return h
		}
	}
	t.Fatalf("no plan for host %s", name)
	return model.HostPlan{}
}

const oneHost = `
host "web_1" {
  transport = "local"
  labels    = { role = "web" }
}
`

type ruleCase struct {
	name   string
	policy string // body of policy "p" targeting host.web_1 with provider apt
	extra  string // more config (windows)
	snap   *model.Snapshot
	now    string
	want   []string
	warns  []string
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := oneHost + tc.extra + "\npolicy \"p\" {\n  provider = \"apt\"\n  targets = [host.web_1]\n" + tc.policy + "\n}\n"
			cfg := loadConfig(t, src)
			now := at(t, tc.now)
			pl, warns := Plan(Input{Config: cfg, Inventory: map[string]*model.Snapshot{"web_1": tc.snap}, Now: now})
			if diff := cmp.Diff(tc.want, lines(host(t, pl, "web_1"))); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
			var gotWarns []string
			for _, w := range warns {
				gotWarns = append(gotWarns, w.Message)
			}
			if diff := cmp.Diff(tc.warns, gotWarns); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestApproval(t *testing.T) {
	s := snap("web_1", []string{"openssl=3.0.11-1", "curl=7.88.1-10", "tzdata=2024a-0"},
		sec("openssl", "3.0.11-1", "3.0.11-2"),
		other("curl", "7.88.1-10", "7.88.1-11"),
		model.Update{Name: "tzdata", From: "2024a-0", To: "2024b-0", Classification: "other", Severity: "Low"},
	)
	runRuleCases(t, []ruleCase{{
		name:   "classification",
		policy: `approve { classification = ["security"] }`,
		snap:   s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"skipped curl 7.88.1-11: not approved by any approve block",
			"skipped tzdata 2024b-0: not approved by any approve block",
			"reboot: none",
		},
	}, {
		name:   "packages glob and severity, any block approves",
		policy: "approve {\n packages = [\"cur*\"]\n }\n approve {\n severity = [\"LOW\"]\n }",
		snap:   s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade curl 7.88.1-10->7.88.1-11: approve[0]: packages=cur*",
			"upgrade tzdata 2024a-0->2024b-0: approve[1]: severity=LOW",
			"skipped openssl 3.0.11-2: not approved by any approve block",
			"reboot: none",
		},
	}, {
		name:   "all criteria of one block must hold",
		policy: "approve {\n classification = [\"security\"]\n packages = [\"curl\"]\n }",
		snap:   s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"skipped curl 7.88.1-11: not approved by any approve block",
			"skipped openssl 3.0.11-2: not approved by any approve block",
			"skipped tzdata 2024b-0: not approved by any approve block",
			"reboot: none",
		},
	}, {
		name:   "expired approval warns and approves nothing",
		policy: "approve {\n classification = [\"security\"]\n until = \"2026-11-22\"\n }",
		snap:   s, now: "2026-11-23T00:00:00Z",
		want: []string{
			"skipped curl 7.88.1-11: not approved by any approve block",
			"skipped openssl 3.0.11-2: not approved by any approve block",
			"skipped tzdata 2024b-0: not approved by any approve block",
			"reboot: none",
		},
		warns: []string{`approve[0] of policy "p" expired (until 2026-11-22); it no longer approves anything`},
	}})
}

func TestRejectAndExclude(t *testing.T) {
	s := snap("web_1", []string{"openssl=3.0.11-1", "linux-image-6.1.0-27-amd64=6.1.115-1", "postgresql-15=15.8-0", "libpq5=15.8-0"},
		sec("openssl", "3.0.11-1", "3.0.11-2"),
		sec("postgresql-15", "15.8-0", "15.9-0"),
		sec("libpq5", "15.8-0", "15.9-0"),
	)
	runRuleCases(t, []ruleCase{{
		name:   "approved and rejected: rejected wins; installed rejected is reported",
		policy: "approve { classification = [\"security\"] }\n reject = [\"openssl\", \"linux-image-*\"]",
		snap:   s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade libpq5 15.8-0->15.9-0: approve[0]: classification=security",
			"upgrade postgresql-15 15.8-0->15.9-0: approve[0]: classification=security",
			`skipped linux-image-6.1.0-27-amd64 : installed version 6.1.115-1 matches reject "linux-image-*"`,
			`skipped openssl 3.0.11-2: rejected by reject "openssl"`,
			"reboot: none",
		},
	}, {
		name: "exclusion expiring today still applies today",
		policy: "approve { classification = [\"security\"] }\n" +
			"exclude {\n packages = [\"postgresql-*\"]\n until = \"2026-11-23\"\n reason = \"vendor certification\"\n }",
		snap: s, now: "2026-11-23T23:59:00Z",
		want: []string{
			"upgrade libpq5 15.8-0->15.9-0: approve[0]: classification=security",
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"skipped postgresql-15 15.9-0: excluded until 2026-11-23: vendor certification",
			"reboot: none",
		},
	}, {
		name: "expired exclusion warns and stops applying",
		policy: "approve { classification = [\"security\"] }\n" +
			"exclude {\n packages = [\"postgresql-*\"]\n until = \"2026-11-23\"\n reason = \"vendor certification\"\n }",
		snap: s, now: "2026-11-24T00:00:00Z",
		want: []string{
			"upgrade libpq5 15.8-0->15.9-0: approve[0]: classification=security",
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"upgrade postgresql-15 15.8-0->15.9-0: approve[0]: classification=security",
			"reboot: none",
		},
		warns: []string{`exclusion of policy "p" expired (until 2026-11-23, "vendor certification"); it no longer applies`},
	}, {
		name: "exclusion of a whole host",
		policy: "approve { classification = [\"security\"] }\n" +
			"exclude {\n targets = [host.web_1]\n until = \"2027-01-31\"\n reason = \"migration\"\n }",
		snap: s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"skipped libpq5 15.9-0: excluded until 2027-01-31: migration",
			"skipped openssl 3.0.11-2: excluded until 2027-01-31: migration",
			"skipped postgresql-15 15.9-0: excluded until 2027-01-31: migration",
			"reboot: none",
		},
	}})
}

func TestPins(t *testing.T) {
	withVersions := func(s *model.Snapshot, v map[string][]string) *model.Snapshot {
		s.Providers["apt"].Versions = v
		return s
	}
	base := func() *model.Snapshot {
		return snap("web_1", []string{"nginx=1.22.1-9+deb12u2", "openssl=3.0.11-1"},
			sec("nginx", "1.22.1-9+deb12u2", "1.22.1-9+deb12u3"),
			sec("openssl", "3.0.11-1", "3.0.11-2"))
	}
	approve := "approve { classification = [\"security\"] }\n"
	runRuleCases(t, []ruleCase{{
		name:   "pin equal to installed holds the package where it is",
		policy: approve + `pin = { nginx = "1.22.1-9+deb12u2" }`,
		snap:   base(), now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"skipped nginx 1.22.1-9+deb12u3: pinned to 1.22.1-9+deb12u2",
			"reboot: none",
		},
	}, {
		name:   "pin to an older offered version plans a downgrade",
		policy: approve + `pin = { nginx = "1.22.1-9" }`,
		snap:   withVersions(base(), map[string][]string{"nginx": {"1.22.1-9", "1.22.1-9+deb12u2", "1.22.1-9+deb12u3"}}),
		now:    "2026-11-23T10:00:00Z",
		want: []string{
			"downgrade nginx 1.22.1-9+deb12u2->1.22.1-9: pin nginx = 1.22.1-9",
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"skipped nginx 1.22.1-9+deb12u3: pinned to 1.22.1-9",
			"reboot: none",
		},
	}, {
		name:   "pin without version list is planned unverified",
		policy: approve + `pin = { nginx = "1.22.1-9" }`,
		snap:   base(), now: "2026-11-23T10:00:00Z",
		want: []string{
			"downgrade nginx 1.22.1-9+deb12u2->1.22.1-9: pin nginx = 1.22.1-9 (availability not verified)",
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"skipped nginx 1.22.1-9+deb12u3: pinned to 1.22.1-9",
			"reboot: none",
		},
	}, {
		name:   "pin to a version not offered is an error for the host, the rest still plans",
		policy: approve + `pin = { nginx = "1.20.0-1" }`,
		snap:   withVersions(base(), map[string][]string{"nginx": {"1.22.1-9+deb12u2", "1.22.1-9+deb12u3"}}),
		now:    "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"skipped nginx 1.22.1-9+deb12u3: pinned to 1.20.0-1",
			`error: pin nginx = "1.20.0-1": the host's sources do not offer that version (they offer 1.22.1-9+deb12u2, 1.22.1-9+deb12u3)`,
			"reboot: none",
		},
	}, {
		name:   "pin to the available update upgrades to it",
		policy: `pin = { nginx = "1.22.1-9+deb12u3" }`,
		snap:   base(), now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade nginx 1.22.1-9+deb12u2->1.22.1-9+deb12u3: pin nginx = 1.22.1-9+deb12u3",
			"skipped openssl 3.0.11-2: not approved by any approve block",
			"reboot: none",
		},
	}, {
		name:   "pin of a package that is not installed does nothing",
		policy: approve + `pin = { apache2 = "2.4.62-1" }`,
		snap:   base(), now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade nginx 1.22.1-9+deb12u2->1.22.1-9+deb12u3: approve[0]: classification=security",
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: none",
		},
	}})
}

func TestDelays(t *testing.T) {
	fresh := sec("openssl", "3.0.11-1", "3.0.11-2")
	fresh.ReleasedAt = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	old := sec("curl", "7.88.1-10", "7.88.1-11")
	unreleased := sec("libc6", "2.36-9", "2.36-10")
	unreleased.ReleasedAt = time.Time{}
	s := snap("web_1", []string{"openssl=3.0.11-1", "curl=7.88.1-10", "libc6=2.36-9"}, fresh, old, unreleased)
	policy := "approve {\n classification = [\"security\"]\n after = \"3d\"\n }"
	runRuleCases(t, []ruleCase{{
		name: "after counts from released_at, else from the scan", policy: policy, snap: s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade curl 7.88.1-10->7.88.1-11: approve[0]: classification=security, after=3d",
			"deferred libc6 2.36-10 until 2026-11-26T06:00:00Z: approve[0]: classification=security, after=3d (first seen 2026-11-23)",
			"deferred openssl 3.0.11-2 until 2026-11-24T12:00:00Z: approve[0]: classification=security, after=3d (released 2026-11-21)",
			"reboot: none",
		},
	}, {
		name: "a delay that has passed", policy: policy, snap: s, now: "2026-11-24T12:00:00Z",
		want: []string{
			"upgrade curl 7.88.1-10->7.88.1-11: approve[0]: classification=security, after=3d",
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security, after=3d",
			"deferred libc6 2.36-10 until 2026-11-26T06:00:00Z: approve[0]: classification=security, after=3d (first seen 2026-11-23)",
			"reboot: none",
		},
	}, {
		name: "a block without delay beats one with", policy: policy + "\napprove {\n packages = [\"openssl\"]\n }", snap: s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade curl 7.88.1-10->7.88.1-11: approve[0]: classification=security, after=3d",
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[1]: packages=openssl",
			"deferred libc6 2.36-10 until 2026-11-26T06:00:00Z: approve[0]: classification=security, after=3d (first seen 2026-11-23)",
			"reboot: none",
		},
	}})

	// First-seen times from history replace the scan time.
	cfg := loadConfig(t, oneHost+"policy \"p\" {\n provider = \"apt\"\n targets = [host.web_1]\n"+policy+"\n}\n")
	pl, _ := Plan(Input{Config: cfg, Inventory: map[string]*model.Snapshot{"web_1": s}, Now: at(t, "2026-11-23T10:00:00Z"),
		History: History{FirstSeen: map[UpdateKey]time.Time{{"web_1", "apt", "libc6", "2.36-10"}: time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)}}})
	if got := lines(host(t, pl, "web_1"))[0]; got != "upgrade curl 7.88.1-10->7.88.1-11: approve[0]: classification=security, after=3d" {
		t.Errorf("first line = %q", got)
	}
	if got := lines(host(t, pl, "web_1"))[1]; got != "upgrade libc6 2.36-9->2.36-10: approve[0]: classification=security, after=3d" {
		t.Errorf("with history, libc6 = %q", got)
	}
}

const weekend = `
window "weekend" {
  schedule = "0 22 * * SAT"
  duration = "6h"
  timezone = "Europe/Berlin"
  cutoff   = "1h"
}
`

func TestWindows(t *testing.T) {
	s := snap("web_1", []string{"openssl=3.0.11-1"}, sec("openssl", "3.0.11-1", "3.0.11-2"))
	policy := "approve { classification = [\"security\"] }\n window = window.weekend"
	runRuleCases(t, []ruleCase{{
		name: "before the window: deferred until it opens", policy: policy, extra: weekend, snap: s,
		now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred openssl 3.0.11-2 until 2026-11-28T21:00:00Z: window weekend closed",
			"reboot: none",
		},
	}, {
		name: "inside the window: act", policy: policy, extra: weekend, snap: s,
		now: "2026-11-28T22:30:00+01:00",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: none",
		},
	}, {
		name: "inside the cutoff: no new work, next week", policy: policy, extra: weekend, snap: s,
		now: "2026-11-29T03:30:00+01:00",
		want: []string{
			"deferred openssl 3.0.11-2 until 2026-12-05T21:00:00Z: window weekend closed",
			"reboot: none",
		},
	}, {
		name: "emergency ignores the window", policy: policy + "\n emergency = true", extra: weekend, snap: s,
		now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: none",
		},
	}, {
		// 2026-10-25: Europe/Berlin falls back at 03:00 CEST. The window opens
		// at 01:00 CEST (23:00Z) and lasts 3 real hours, to 02:00Z (03:00 CET).
		name:   "DST change inside a window: still open 2.5 real hours in",
		policy: "approve { classification = [\"security\"] }\n window = window.night",
		extra:  "window \"night\" {\n schedule = \"0 1 * * SUN\"\n duration = \"3h\"\n timezone = \"Europe/Berlin\"\n}\n",
		snap:   s, now: "2026-10-25T01:30:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: none",
		},
	}, {
		name:   "DST change inside a window: closed after 3 real hours",
		policy: "approve { classification = [\"security\"] }\n window = window.night",
		extra:  "window \"night\" {\n schedule = \"0 1 * * SUN\"\n duration = \"3h\"\n timezone = \"Europe/Berlin\"\n}\n",
		snap:   s, now: "2026-10-25T02:30:00Z",
		want: []string{
			"deferred openssl 3.0.11-2 until 2026-11-01T00:00:00Z: window night closed",
			"reboot: none",
		},
	}})

	// A delay ending between openings waits for the next opening after it.
	fresh := sec("openssl", "3.0.11-1", "3.0.11-2")
	fresh.ReleasedAt = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	runRuleCases(t, []ruleCase{{
		name:   "delay then window",
		policy: "approve {\n classification = [\"security\"]\n after = \"3d\"\n }\n window = window.weekend",
		extra:  weekend, snap: snap("web_1", []string{"openssl=3.0.11-1"}, fresh),
		now: "2026-11-28T22:30:00+01:00",
		want: []string{
			"deferred openssl 3.0.11-2 until 2026-12-05T21:00:00Z: approve[0]: classification=security, after=3d (released 2026-11-27); then window weekend",
			"reboot: none",
		},
	}})
}

func TestReboot(t *testing.T) {
	kernel := sec("linux-image-amd64", "6.1.115-1", "6.1.119-1")
	kernel.RebootRequired = true
	s := snap("web_1", []string{"linux-image-amd64=6.1.115-1", "openssl=3.0.11-1"}, kernel, sec("openssl", "3.0.11-1", "3.0.11-2"))
	pending := snap("web_1", []string{"openssl=3.0.11-2"})
	pending.Providers["apt"].PendingReboot = true
	approve := "approve { classification = [\"security\"] }\n"
	runRuleCases(t, []ruleCase{{
		name: "if_needed with a kernel", policy: approve + `reboot = "if_needed"`, snap: s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade linux-image-amd64 6.1.115-1->6.1.119-1: approve[0]: classification=security",
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot  ->: reboot = if_needed: linux-image-amd64 requires a reboot",
			"reboot: planned",
		},
	}, {
		name: "never suppresses", policy: approve + `reboot = "never"`, snap: s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade linux-image-amd64 6.1.115-1->6.1.119-1: approve[0]: classification=security",
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot: suppressed",
		},
	}, {
		name: "always reboots after any change", policy: approve + "reboot = \"always\"\n reject = [\"linux-image-*\"]", snap: s, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security",
			"reboot  ->: reboot = always",
			`skipped linux-image-amd64 6.1.119-1: rejected by reject "linux-image-*"`,
			"reboot: planned",
		},
	}, {
		name: "a pending reboot waits for the window", policy: approve + "window = window.weekend", extra: weekend,
		snap: pending, now: "2026-11-23T10:00:00Z",
		want: []string{"reboot: deferred"},
	}, {
		name: "a pending reboot inside the window", policy: approve + "window = window.weekend", extra: weekend,
		snap: pending, now: "2026-11-28T22:30:00+01:00",
		want: []string{"reboot  ->: reboot = if_needed: the host reports a pending reboot", "reboot: planned"},
	}})
}

func fleetConfig(rollout string) string {
	var b strings.Builder
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&b, "host \"web_%02d\" {\n transport = \"local\"\n labels = { role = \"web\" }\n}\n", i)
	}
	b.WriteString("group \"web\" {\n match = { role = \"web\" }\n}\n")
	b.WriteString("policy \"p\" {\n provider = \"apt\"\n targets = [group.web]\n approve { classification = [\"security\"] }\n" + rollout + "\n}\n")
	return b.String()
}

func TestRings(t *testing.T) {
	rollout := "rollout {\n ring \"canary\" {\n targets = [host.web_01]\n soak = \"24h\"\n }\n ring \"early\" {\n percent = 30\n }\n ring \"broad\" {\n percent = 100\n }\n}"
	cfg := loadConfig(t, fleetConfig(rollout))
	need := func(h string) *model.Snapshot {
		return snap(h, []string{"openssl=3.0.11-1"}, sec("openssl", "3.0.11-1", "3.0.11-2"))
	}
	done := func(h string) *model.Snapshot { return snap(h, []string{"openssl=3.0.11-2"}) }
	inv := map[string]*model.Snapshot{}
	for _, h := range cfg.Policies["p"].Hosts {
		inv[h] = need(h)
	}
	pl, _ := Plan(Input{Config: cfg, Inventory: inv, Now: at(t, "2026-11-23T10:00:00Z")})
	rings := map[string][]string{}
	for _, h := range pl.Hosts {
		rings[h.Ring] = append(rings[h.Ring], h.Host)
	}
	if len(rings["canary"]) != 1 || len(rings["early"]) != 2 || len(rings["broad"]) != 7 {
		t.Fatalf("ring sizes = %v; want canary 1, early 2 (30%% of 10 minus the canary), broad 7", rings)
	}
	if got := lines(host(t, pl, "web_01")); got[0] != "upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security" {
		t.Errorf("canary = %v", got)
	}
	early := rings["early"][0]
	if got := lines(host(t, pl, early)); got[0] != "deferred openssl 3.0.11-2 until ?: waiting for ring canary: 1 of 1 host still needs it" {
		t.Errorf("early while canary pending = %v", got)
	}
	broad := rings["broad"][0]
	if got := lines(host(t, pl, broad)); got[0] != "deferred openssl 3.0.11-2 until ?: waiting for ring early: 2 of 2 hosts still need it" {
		t.Errorf("broad while early pending = %v", got)
	}

	// Canary done at scan time: early soaks 24h from the canary's scan.
	inv["web_01"] = done("web_01")
	pl, _ = Plan(Input{Config: cfg, Inventory: inv, Now: at(t, "2026-11-23T10:00:00Z")})
	if got := lines(host(t, pl, early)); got[0] != "deferred openssl 3.0.11-2 until 2026-11-24T06:00:00Z: ring canary soaking until 2026-11-24T06:00:00Z (soak 24h)" {
		t.Errorf("early while canary soaks = %v", got)
	}
	pl, _ = Plan(Input{Config: cfg, Inventory: inv, Now: at(t, "2026-11-24T06:00:00Z")})
	if got := lines(host(t, pl, early)); got[0] != "upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security" {
		t.Errorf("early after soak = %v", got)
	}
	// History of when the ring finished replaces the scan time.
	pl, _ = Plan(Input{Config: cfg, Inventory: inv, Now: at(t, "2026-11-24T06:00:00Z"),
		History: History{RingDone: map[RingKey]time.Time{{"p", "canary", "openssl", "3.0.11-2"}: at(t, "2026-11-23T12:00:00Z")}}})
	if got := lines(host(t, pl, early)); !strings.Contains(got[0], "until 2026-11-24T12:00:00Z") {
		t.Errorf("early with ring history = %v", got)
	}
	// Early done without soak: broad proceeds at once.
	for _, h := range rings["early"] {
		inv[h] = done(h)
	}
	pl, _ = Plan(Input{Config: cfg, Inventory: inv, Now: at(t, "2026-11-24T06:00:00Z")})
	if got := lines(host(t, pl, broad)); got[0] != "upgrade openssl 3.0.11-1->3.0.11-2: approve[0]: classification=security" {
		t.Errorf("broad after early = %v", got)
	}

	// Emergency policies ignore rings.
	ecfg := loadConfig(t, strings.Replace(fleetConfig(rollout), "approve {", "emergency = true\n approve {", 1))
	for _, h := range ecfg.Policies["p"].Hosts {
		inv[h] = need(h)
	}
	pl, _ = Plan(Input{Config: ecfg, Inventory: inv, Now: at(t, "2026-11-23T10:00:00Z")})
	if pl.Summary.Actions["upgrade"] != 10 {
		t.Errorf("emergency upgrades = %d, want 10", pl.Summary.Actions["upgrade"])
	}
}

func TestRingsPercentIsCumulative(t *testing.T) {
	// Explicit members of a later ring do not count against an earlier
	// percent ring's share.
	cfg := loadConfig(t, fleetConfig("rollout {\n ring \"early\" {\n percent = 20\n }\n ring \"named\" {\n targets = [host.web_01, host.web_02, host.web_03]\n }\n ring \"broad\" {\n percent = 100\n }\n}"))
	pl, _ := Plan(Input{Config: cfg, Inventory: map[string]*model.Snapshot{}, Now: at(t, "2026-11-23T10:00:00Z")})
	sizes := map[string]int{}
	for _, h := range pl.Hosts {
		sizes[h.Ring]++
	}
	if sizes["early"] != 2 || sizes["named"] != 3 || sizes["broad"] != 5 {
		t.Errorf("ring sizes = %v; want early 2, named 3, broad 5", sizes)
	}
}

func TestRingsNotCovering(t *testing.T) {
	cfg := loadConfig(t, fleetConfig("rollout {\n ring \"half\" {\n percent = 50\n }\n}"))
	inv := map[string]*model.Snapshot{}
	for _, h := range cfg.Policies["p"].Hosts {
		inv[h] = snap(h, []string{"openssl=3.0.11-1"}, sec("openssl", "3.0.11-1", "3.0.11-2"))
	}
	pl, _ := Plan(Input{Config: cfg, Inventory: inv, Now: at(t, "2026-11-23T10:00:00Z")})
	if pl.Summary.Actions["upgrade"] != 5 || pl.Summary.Skipped != 5 {
		t.Errorf("summary = %+v; want 5 upgrades, 5 skipped", pl.Summary)
	}
}

func TestNoInventory(t *testing.T) {
	cfg := loadConfig(t, oneHost+"policy \"p\" {\n provider = \"apt\"\n targets = [host.web_1]\n approve {}\n}\n")
	pl, warns := Plan(Input{Config: cfg, Inventory: map[string]*model.Snapshot{}, Now: at(t, "2026-11-23T10:00:00Z")})
	hp := host(t, pl, "web_1")
	if hp.ScannedAt != nil || len(hp.Errors) != 1 || !strings.Contains(hp.Errors[0], "no inventory for this host") {
		t.Errorf("host plan = %+v", hp)
	}
	if len(warns) != 1 {
		t.Errorf("warnings = %v", warns)
	}
	if pl.Summary.Hosts != 1 || pl.Summary.HostsWithChanges != 0 || len(pl.Summary.Actions) != 6 {
		t.Errorf("summary = %+v", pl.Summary)
	}
}

func TestDeterministic(t *testing.T) {
	cfg := loadConfig(t, fleetConfig("rollout {\n ring \"a\" {\n percent = 20\n soak = \"1h\"\n }\n ring \"b\" {\n percent = 100\n }\n}"))
	build := func(reverse bool) []byte {
		inv := map[string]*model.Snapshot{}
		for _, h := range cfg.Policies["p"].Hosts {
			ups := []model.Update{sec("a", "1", "2"), other("b", "1", "2"), sec("c", "1", "2")}
			if reverse {
				ups = []model.Update{ups[2], ups[1], ups[0]}
			}
			inv[h] = snap(h, []string{"a=1", "b=1", "c=1"}, ups...)
		}
		pl, _ := Plan(Input{Config: cfg, Inventory: inv, Now: at(t, "2026-11-23T10:00:00Z")})
		b, err := json.Marshal(pl)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := build(false)
	for i := 0; i < 5; i++ {
		if got := build(i%2 == 1); !bytes.Equal(first, got) {
			t.Fatalf("run %d differs from the first", i)
		}
	}
}

// TestVersionScopedReject: reject = ["pkg=version"] rejects one build (or
// a version glob) while other versions of the package still flow, and a
// host already at the rejected build is reported; a pin away from it is
// no change to the rejected version and goes ahead.
func TestVersionScopedReject(t *testing.T) {
	bad := snap("web_1", []string{"openssl=3.0.11-1", "libpq5=15.8-0"},
		sec("openssl", "3.0.11-1", "3.0.11-2"),
		sec("libpq5", "15.8-0", "15.9-0"))
	fixed := snap("web_1", []string{"openssl=3.0.11-1", "libpq5=15.8-0"},
		sec("openssl", "3.0.11-1", "3.0.11-3"),
		sec("libpq5", "15.8-0", "15.9-0"))
	installedBad := snap("web_1", []string{"openssl=3.0.11-2"})
	approve := "approve { classification = [\"security\"] }\n"
	runRuleCases(t, []ruleCase{{
		name:   "the rejected build is skipped, other packages flow",
		policy: approve + `reject = ["openssl=3.0.11-2"]`,
		snap:   bad, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade libpq5 15.8-0->15.9-0: approve[0]: classification=security",
			`skipped openssl 3.0.11-2: rejected by reject "openssl=3.0.11-2"`,
			"reboot: none",
		},
	}, {
		name:   "a later build of the same package flows",
		policy: approve + `reject = ["openssl=3.0.11-2"]`,
		snap:   fixed, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade libpq5 15.8-0->15.9-0: approve[0]: classification=security",
			"upgrade openssl 3.0.11-1->3.0.11-3: approve[0]: classification=security",
			"reboot: none",
		},
	}, {
		name:   "a version glob rejects every build it matches",
		policy: approve + `reject = ["openssl=3.0.11-*", "lib*=15.9-*"]`,
		snap:   fixed, now: "2026-11-23T10:00:00Z",
		want: []string{
			`skipped libpq5 15.9-0: rejected by reject "lib*=15.9-*"`,
			`skipped openssl 3.0.11-3: rejected by reject "openssl=3.0.11-*"`,
			"reboot: none",
		},
	}, {
		name:   "a host at the rejected build is reported",
		policy: approve + `reject = ["openssl=3.0.11-2"]`,
		snap:   installedBad, now: "2026-11-23T10:00:00Z",
		want: []string{
			`skipped openssl : installed version 3.0.11-2 matches reject "openssl=3.0.11-2"`,
			"reboot: none",
		},
	}, {
		name:   "a pin away from the rejected build goes ahead",
		policy: approve + "reject = [\"openssl=3.0.11-2\"]\n pin = { openssl = \"3.0.11-1\" }",
		snap:   installedBad, now: "2026-11-23T10:00:00Z",
		want: []string{
			"downgrade openssl 3.0.11-2->3.0.11-1: pin openssl = 3.0.11-1 (availability not verified)",
			`skipped openssl : installed version 3.0.11-2 matches reject "openssl=3.0.11-2"`,
			"reboot: none",
		},
	}})
}
