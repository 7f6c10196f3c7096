package planner

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

// testVulns are feed facts as core/vuln gives them (the values of the
// core/feeds fixtures).
var testVulns = map[string]model.Vuln{
	"CVE-2023-4863": {ID: "CVE-2023-4863", CVSS: 8.8, EPSS: 0.93741, HasEPSS: true, KEV: true, KEVAdded: "2023-09-13", KEVDue: "2023-10-04"},
	"CVE-2023-1999": {ID: "CVE-2023-1999", CVSS: 5.5, EPSS: 0.00046, HasEPSS: true},
	"CVE-2026-0001": {ID: "CVE-2026-0001", CVSS: 9.8, EPSS: 0.2, HasEPSS: true},
}

func cveUpdate(name, from, to string, cves ...string) model.Update {
	return model.Update{Name: name, From: from, To: to, Classification: "security", CVEs: cves,
		ReleasedAt: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)}
}

func planVulns(t *testing.T, policy, now string, s *model.Snapshot) model.HostPlan {
	t.Helper()
	src := oneHost + weekend + "\npolicy \"p\" {\n  provider = \"apt\"\n  targets = [host.web_1]\n" + policy + "\n}\n"
	cfg := loadConfig(t, src)
	pl, _ := Plan(Input{Config: cfg, Inventory: map[string]*model.Snapshot{"web_1": s}, Now: at(t, now), Vulns: testVulns})
	return host(t, pl, "web_1")
}

func TestApproveByVuln(t *testing.T) {
	s := snap("web_1", []string{"libwebp7=1.2.4-0.2", "openssl=3.0.11-1", "tzdata=1", "curl=1"},
		cveUpdate("libwebp7", "1.2.4-0.2", "1.2.4-0.2+deb12u1", "CVE-2023-1999", "CVE-2023-4863"),
		cveUpdate("openssl", "3.0.11-1", "3.0.11-2", "CVE-2026-0001"),
		cveUpdate("curl", "1", "2", "CVE-2099-9999"), // the feeds know nothing of it
		other("tzdata", "1", "2"))
	for _, tc := range []struct{ rule, want string }{
		{`kev = true`, "libwebp7"},
		{`cvss = ">= 9.0"`, "openssl"},
		{`epss = ">= 0.5"`, "libwebp7"},
		{`cves = ["cve-2026-0001", "CVE-2099-9999"]`, "curl,openssl"},
		{`kev = false`, "curl,libwebp7,openssl"}, // libwebp7 also fixes CVE-2023-1999
		// One CVE must meet every criterion: libwebp7's KEV one scores 8.8.
		{`kev = true` + "\n" + `cvss = ">= 9"`, ""},
		{`classification = ["security"]` + "\n" + `cvss = "> 8.8"`, "openssl"},
	} {
		hp := planVulns(t, "approve {\n"+tc.rule+"\n}", "2026-11-23T10:00:00Z", s)
		var got []string
		for _, a := range hp.Actions {
			got = append(got, a.Package)
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s: approved %v, want %s", tc.rule, got, tc.want)
		}
	}
	hp := planVulns(t, "approve {\nkev = true\n}", "2026-11-23T10:00:00Z", s)
	a := hp.Actions[0]
	want := []model.Vuln{testVulns["CVE-2023-1999"], testVulns["CVE-2023-4863"]}
	if diff := cmp.Diff(want, a.Vulns); diff != "" || a.Reason != "approve[0]: kev" {
		t.Errorf("action vulns (-want +got):\n%s\nreason %q", diff, a.Reason)
	}
	// Skipped updates carry their CVEs too, so what stays open is seen.
	for _, sk := range hp.Skipped {
		if sk.Package == "openssl" && (len(sk.Vulns) != 1 || sk.Vulns[0].ID != "CVE-2026-0001") {
			t.Errorf("skipped openssl: %+v", sk)
		}
	}
}

func TestFastLane(t *testing.T) {
	s := snap("web_1", []string{"libwebp7=1.2.4-0.2", "openssl=3.0.11-1"},
		cveUpdate("libwebp7", "1.2.4-0.2", "1.2.4-0.2+deb12u1", "CVE-2023-4863"),
		cveUpdate("openssl", "3.0.11-1", "3.0.11-2", "CVE-2026-0001"))
	policy := "approve { classification = [\"security\"] }\n window = window.weekend\n fast_lane { kev = true }"
	// Monday: the weekend window is closed; the KEV fix goes now.
	hp := planVulns(t, policy, "2026-11-23T10:00:00Z", s)
	want := []string{
		"upgrade libwebp7 1.2.4-0.2->1.2.4-0.2+deb12u1: approve[0]: classification=security",
		"deferred openssl 3.0.11-2 until 2026-11-28T21:00:00Z: window weekend closed",
		"reboot: none",
	}
	if diff := cmp.Diff(want, lines(hp)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	if hp.Actions[0].FastLane != "fast_lane (kev): CVE-2023-4863" {
		t.Errorf("fast lane %q", hp.Actions[0].FastLane)
	}

	// The fast lane skips a rollout's soak too.
	rollout := `
 rollout {
   ring "canary" {
     percent = 100
     soak    = "3d"
   }
 }`
	hp = planVulns(t, "approve { classification = [\"security\"] }\n fast_lane { cves = [\"CVE-2023-4863\"] }"+rollout, "2026-11-23T10:00:00Z", s)
	if len(hp.Actions) != 2 {
		t.Errorf("with a rollout: %v", lines(hp))
	}
}

func TestDeadlines(t *testing.T) {
	s := snap("web_1", []string{"libwebp7=1.2.4-0.2", "openssl=3.0.11-1"},
		cveUpdate("libwebp7", "1.2.4-0.2", "1.2.4-0.2+deb12u1", "CVE-2023-4863"),
		cveUpdate("openssl", "3.0.11-1", "3.0.11-2", "CVE-2026-0001"))
	policy := "approve { packages = [\"nothing\"] }\n deadline {\n cvss = \">= 7\"\n within = \"14d\"\n }"
	// Released 2026-11-10: due 2026-11-24 by the deadline, but CISA's
	// dueDate for CVE-2023-4863 (2023-10-04) came first.
	hp := planVulns(t, policy, "2026-11-23T10:00:00Z", s)
	want := []model.Overdue{{Package: "libwebp7", CVE: "CVE-2023-4863", Due: at(t, "2023-10-05T00:00:00Z"),
		Rule: "deadline[0]: cvss>=7, within=14d (KEV dueDate 2023-10-04)"}}
	if diff := cmp.Diff(want, hp.Overdue); diff != "" {
		t.Errorf("overdue (-want +got):\n%s", diff)
	}
	hp = planVulns(t, policy, "2026-11-25T10:00:00Z", s)
	if len(hp.Overdue) != 2 || hp.Overdue[1].CVE != "CVE-2026-0001" || hp.Overdue[1].Rule != "deadline[0]: cvss>=7, within=14d" {
		t.Errorf("after 14 days: %+v", hp.Overdue)
	}
}

func TestOpenVulns(t *testing.T) {
	s := snap("web_1", []string{"libc6=2.36-9"})
	s.Providers["apt"].OpenCVEs = model.OpenCVEsOf([]model.OpenCVE{{Package: "libc6", Version: "2.36-9", CVE: "CVE-2023-4863"}})
	hp := planVulns(t, "approve {}", "2026-11-23T10:00:00Z", s)
	if len(hp.OpenVulns) != 1 || hp.OpenVulns[0].Vuln != testVulns["CVE-2023-4863"] {
		t.Errorf("open vulns: %+v", hp.OpenVulns)
	}
}
