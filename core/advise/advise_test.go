package advise

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

var (
	webp  = model.Vuln{ID: "CVE-2023-4863", CVSS: 8.8, EPSS: 0.9374, HasEPSS: true, KEV: true, KEVAdded: "2023-09-13", KEVDue: "2023-10-04"}
	glibc = model.Vuln{ID: "CVE-2023-4911", CVSS: 7.8, EPSS: 0.8716, HasEPSS: true, KEV: true, KEVDue: "2023-12-12"}
	crit  = model.Vuln{ID: "CVE-2026-0001", CVSS: 9.8, EPSS: 0.2, HasEPSS: true}
	low   = model.Vuln{ID: "CVE-2023-1999", CVSS: 5.5, EPSS: 0.0004, HasEPSS: true}
)

func TestSelects(t *testing.T) {
	for _, tc := range []struct {
		sel  Selection
		want string
	}{
		{Selection{KEV: true}, "CVE-2023-4863,CVE-2023-4911"},
		{Selection{CVSS: 9}, "CVE-2026-0001"},
		{Selection{EPSS: 0.9}, "CVE-2023-4863"},
		{Selection{KEV: true, CVSS: 9}, "CVE-2023-4863,CVE-2023-4911,CVE-2026-0001"},
		{Selection{}, ""},
	} {
		var got []string
		for _, v := range []model.Vuln{webp, glibc, crit, low} {
			if tc.sel.Selects(v) {
				got = append(got, v.ID)
			}
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%+v selects %v, want %s", tc.sel, got, tc.want)
		}
	}
}

func fleet() *model.Plan {
	return &model.Plan{Hosts: []model.HostPlan{
		{Host: "web_2", Provider: "apt", Policy: "linux",
			Skipped: []model.Skipped{
				{Package: "libwebp7", To: "1.2.4-0.2+deb12u1", Reason: notApproved, Vulns: []model.Vuln{low, webp}},
				{Package: "openssl", To: "3.0.11-2", Reason: notApproved, Vulns: []model.Vuln{crit}},
			}},
		{Host: "web_1", Provider: "apt", Policy: "linux",
			Actions:  []model.Action{{Type: model.ActionUpgrade, Package: "openssl", To: "3.0.11-2", Vulns: []model.Vuln{crit}}},
			Deferred: []model.Deferred{{Package: "libc6", To: "2.36-9+deb12u3", Reason: "window weekend closed", Vulns: []model.Vuln{glibc}}},
			Skipped: []model.Skipped{
				{Package: "libwebp7", To: "1.2.4-0.2+deb12u1", Reason: "rejected by libwebp*", Vulns: []model.Vuln{webp}},
			}},
		{Host: "db_1", Provider: "apt", Policy: "db",
			Skipped: []model.Skipped{{Package: "libwebp7", To: "1.2.4-0.2+deb12u1", Reason: notApproved, Vulns: []model.Vuln{webp}}}},
	}}
}

func TestExposures(t *testing.T) {
	got := map[string][]string{}
	var order []string
	for _, e := range Exposures(fleet(), Selection{KEV: true, CVSS: 9}) {
		order = append(order, e.Vuln.ID)
		for _, u := range e.Updates {
			got[e.Vuln.ID] = append(got[e.Vuln.ID], u.Host+" "+u.Package+" "+u.State)
		}
		for _, h := range e.Held {
			got[e.Vuln.ID] = append(got[e.Vuln.ID], "held "+h.Host+" "+h.Package+": "+h.Reason)
		}
	}
	want := map[string][]string{
		"CVE-2023-4863": {"db_1 libwebp7 not approved", "web_2 libwebp7 not approved", "held web_1 libwebp7: rejected by libwebp*"},
		"CVE-2023-4911": {"web_1 libc6 deferred: window weekend closed"},
		// web_1 installs the openssl fix now; web_2 does not.
		"CVE-2026-0001": {"web_2 openssl not approved"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("exposures (-want +got):\n%s", diff)
	}
	// KEV first, then by CVSS.
	if diff := cmp.Diff([]string{"CVE-2023-4863", "CVE-2023-4911", "CVE-2026-0001"}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

const fleetConfig = `
host "web_1" {
  transport = "local"
}
host "web_2" {
  transport = "local"
}
host "db_1" {
  transport = "local"
}
policy "linux" {
  provider = "apt"
  targets  = [host.web_1, host.web_2]
  approve {
    classification = ["security"]
  }
}
policy "db" {
  provider = "apt"
  targets  = [host.db_1]
  approve {
    packages = ["postgresql-*"]
  }
}
`

// The file has one advisory per policy, scoped to the exposed hosts and
// packages, and loads with the configuration.
func TestRender(t *testing.T) {
	e := Exposures(fleet(), Selection{KEV: true})[0]
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	src := Render(e, now.AddDate(0, 0, 30), now)
	for _, want := range []string{
		"# CVSS 8.8, EPSS 0.9374, KEV-listed since 2023-09-13, CISA due date 2023-10-04.\n",
		"#   web_1: libwebp7 1.2.4-0.2+deb12u1 stays held by its policy (rejected by libwebp*)\n",
		"advisory \"CVE-2023-4863-db\" {\n  cve      = \"CVE-2023-4863\"\n  policy   = policy.db\n  packages = [\"libwebp7\"]\n  targets  = [host.db_1]\n  until    = \"2027-01-01\"\n}\n",
		"advisory \"CVE-2023-4863-linux\" {\n  cve      = \"CVE-2023-4863\"\n  policy   = policy.linux\n  packages = [\"libwebp7\"]\n  targets  = [host.web_2]\n",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("file lacks %q:\n%s", want, src)
		}
	}
	c, diags := config.LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(fleetConfig), "t/" + e.File(): src}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatalf("%s\n%s", diags, src)
	}
	if len(c.Advisories) != 2 || !c.Advisories["CVE-2023-4863-linux"].Hosts["web_2"] || c.Advisories["CVE-2023-4863-linux"].Hosts["web_1"] {
		t.Errorf("advisories %+v", c.Advisories)
	}
	d := Description(e, e.File(), now.AddDate(0, 0, 30))
	if !strings.Contains(d, "| db_1 | apt | libwebp7 | 1.2.4-0.2+deb12u1 | not approved |\n") || !strings.Contains(d, "Kept back by policy") {
		t.Errorf("description:\n%s", d)
	}
	if got := Title(e); got != "Fast-track the fix for CVE-2023-4863 (KEV) on 2 hosts" {
		t.Errorf("title %q", got)
	}
}

func TestCheck(t *testing.T) {
	e := &Exposure{Vuln: webp, Updates: []Update{
		{Host: "web_2", Provider: "apt", Policy: "linux", Package: "libwebp7", To: "2"},
		{Host: "db_1", Provider: "apt", Policy: "db", Package: "libwebp7", To: "2"},
	}}
	before := &model.Plan{Hosts: []model.HostPlan{{Host: "web_1", Provider: "apt", Actions: []model.Action{{Package: "openssl", To: "3"}}}}}
	act := func(pkg, to, fast string) model.Action {
		return model.Action{Type: model.ActionUpgrade, Package: pkg, To: to, FastLane: fast}
	}
	lane := "fast_lane (advisory CVE-2023-4863): CVE-2023-4863"
	for _, tc := range []struct {
		name      string
		after     []model.HostPlan
		err, held string
	}{
		{"exactly", []model.HostPlan{
			{Host: "web_1", Provider: "apt", Actions: []model.Action{act("openssl", "3", "")}},
			{Host: "web_2", Provider: "apt", Actions: []model.Action{act("libwebp7", "2", lane), {Type: model.ActionReboot}}},
			{Host: "db_1", Provider: "apt", Actions: []model.Action{act("libwebp7", "2", lane)}},
		}, "", ""},
		{"one still waits", []model.HostPlan{
			{Host: "web_1", Provider: "apt", Actions: []model.Action{act("openssl", "3", "")}},
			{Host: "web_2", Provider: "apt", Actions: []model.Action{act("libwebp7", "2", lane)}},
			{Host: "db_1", Provider: "apt", Deferred: []model.Deferred{{Package: "libwebp7", To: "2", Reason: "policy db suspended"}}},
		}, "", "db_1: libwebp7 2 still waits: policy db suspended"},
		{"wider", []model.HostPlan{
			{Host: "web_1", Provider: "apt", Actions: []model.Action{act("openssl", "3", ""), act("curl", "8", lane)}},
			{Host: "web_2", Provider: "apt", Actions: []model.Action{act("libwebp7", "2", lane)}},
			{Host: "db_1", Provider: "apt", Actions: []model.Action{act("libwebp7", "2", lane)}},
		}, "it adds curl → 8 on web_1 (apt), which does not fix CVE-2023-4863", ""},
		{"not through the fast lane", []model.HostPlan{
			{Host: "web_1", Provider: "apt", Actions: []model.Action{act("openssl", "3", "")}},
			{Host: "web_2", Provider: "apt", Actions: []model.Action{act("libwebp7", "2", "")}},
			{Host: "db_1", Provider: "apt", Actions: []model.Action{act("libwebp7", "2", lane)}},
		}, "it adds libwebp7 → 2 on web_2 (apt) outside its fast lane", ""},
		{"removes", []model.HostPlan{
			{Host: "web_2", Provider: "apt", Actions: []model.Action{act("libwebp7", "2", lane)}},
			{Host: "db_1", Provider: "apt", Actions: []model.Action{act("libwebp7", "2", lane)}},
		}, "it removes openssl → 3 on web_1 (apt)", ""},
	} {
		held, err := Check(before, &model.Plan{Hosts: tc.after}, e)
		switch {
		case tc.err == "" && err != nil, tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
		case strings.Join(held, "\n") != tc.held:
			t.Errorf("%s: still held %q, want %q", tc.name, held, tc.held)
		}
	}
}
