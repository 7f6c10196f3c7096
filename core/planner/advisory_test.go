package planner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

// An advisory approves and fast-tracks only its packages' updates that fix
// its CVE, only on its targets, and only until it expires.
func TestAdvisory(t *testing.T) {
	src := oneHost + `
host "web_2" {
  transport = "local"
}
` + weekend + `
policy "p" {
  provider = "apt"
  targets  = [host.web_1, host.web_2]
  window   = window.weekend
  approve {
    classification = ["security"]
    packages       = ["openssl"]
  }
}

advisory "CVE-2023-4863" {
  cve      = "CVE-2023-4863"
  policy   = policy.p
  packages = ["libwebp*"]
  targets  = [host.web_1]
  until    = "2026-11-30"
}
`
	cfg := loadConfig(t, src)
	installed := []string{"libwebp7=1.2.4-0.2", "libwebpdemux2=1.2.4-0.2", "openssl=3.0.11-1", "curl=1"}
	inv := map[string]*model.Snapshot{
		"web_1": snap("web_1", installed,
			cveUpdate("libwebp7", "1.2.4-0.2", "1.2.4-0.2+deb12u1", "CVE-2023-4863"),
			cveUpdate("libwebpdemux2", "1.2.4-0.2", "1.2.4-0.2+deb12u1", "CVE-2023-1999"), // its package, another CVE
			cveUpdate("openssl", "3.0.11-1", "3.0.11-2", "CVE-2026-0001"),
			cveUpdate("curl", "1", "2", "CVE-2023-4863")), // the CVE, another package
		"web_2": snap("web_2", installed, cveUpdate("libwebp7", "1.2.4-0.2", "1.2.4-0.2+deb12u1", "CVE-2023-4863")),
	}
	// Monday: the weekend window is closed.
	pl, _ := Plan(Input{Config: cfg, Inventory: inv, Now: at(t, "2026-11-23T10:00:00Z"), Vulns: testVulns})
	w1 := host(t, pl, "web_1")
	want := []string{
		"upgrade libwebp7 1.2.4-0.2->1.2.4-0.2+deb12u1: advisory CVE-2023-4863: packages=libwebp*, cves=CVE-2023-4863",
		"deferred openssl 3.0.11-2 until 2026-11-28T21:00:00Z: window weekend closed",
		"skipped curl 2: not approved by any approve block",
		"skipped libwebpdemux2 1.2.4-0.2+deb12u1: not approved by any approve block",
		"reboot: none",
	}
	if diff := cmp.Diff(want, lines(w1)); diff != "" {
		t.Errorf("web_1 (-want +got):\n%s", diff)
	}
	if got := w1.Actions[0].FastLane; got != "fast_lane (advisory CVE-2023-4863): CVE-2023-4863" {
		t.Errorf("fast lane %q", got)
	}
	want = []string{"skipped libwebp7 1.2.4-0.2+deb12u1: not approved by any approve block", "reboot: none"}
	if diff := cmp.Diff(want, lines(host(t, pl, "web_2"))); diff != "" {
		t.Errorf("web_2, not a target (-want +got):\n%s", diff)
	}
	// After its until, the advisory approves nothing and the plan warns.
	pl, warns := Plan(Input{Config: cfg, Inventory: inv, Now: at(t, "2026-12-01T10:00:00Z"), Vulns: testVulns})
	if len(warns) != 1 || !strings.Contains(warns[0].Message, `advisory "CVE-2023-4863" for policy "p" expired (until 2026-11-30)`) {
		t.Errorf("warnings %+v", warns)
	}
	for _, a := range host(t, pl, "web_1").Actions {
		if a.Package == "libwebp7" {
			t.Errorf("expired advisory still approves: %v", lines(host(t, pl, "web_1")))
		}
	}
}
