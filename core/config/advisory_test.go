package config

import (
	"os"
	"strings"
	"testing"
)

const advisoryBase = `
host "web_1" {
  transport = "local"
}

policy "linux" {
  provider = "apt"
  targets  = [host.web_1]
  approve {
    classification = ["security"]
  }
}
`

func TestAdvisory(t *testing.T) {
	src := advisoryBase + `
advisory "CVE-2023-4863" {
  cve      = "cve-2023-4863"
  policy   = policy.linux
  packages = ["libwebp7"]
  targets  = [host.web_1]
  until    = "2027-01-01"
}
`
	c, diags := LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(src)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p := c.Policies["linux"]
	if len(p.Advisories) != 1 || len(p.Approve) != 2 {
		t.Fatalf("advisories %v, approve %v", p.Advisories, p.Approve)
	}
	a := p.Approve[1]
	if a.Advisory != "CVE-2023-4863" || len(a.Vuln.CVEs) != 1 || a.Vuln.CVEs[0] != "CVE-2023-4863" ||
		len(a.Packages) != 1 || a.Packages[0].Glob != "libwebp7" || !a.Hosts["web_1"] || a.UntilText != "2027-01-01" {
		t.Errorf("approval %+v", a)
	}
}

func TestAdvisoryErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`cve = "CVE-2023-4863"
  policy = policy.linx
  packages = ["libwebp7"]
  until = "2027-01-01"`, `No policy named "linx" is declared. Did you mean policy.linux?`},
		{`cve = "4863"
  policy = policy.linux
  packages = ["libwebp7"]
  until = "2027-01-01"`, `"4863" is not a CVE ID`},
		{`cve = "CVE-2023-4863"
  policy = policy.linux
  packages = []
  until = "2027-01-01"`, `An advisory names the packages`},
		{`cve = "CVE-2023-4863"
  policy = policy.linux
  packages = ["libwebp7"]`, `The argument "until" is required`},
		{`cve = "CVE-2023-4863"
  policy = policy.linux
  packages = ["libwebp7"]
  targets = [host.web_2]
  until = "2027-01-01"`, `No host named "web_2"`},
	} {
		src := advisoryBase + "advisory \"a\" {\n  " + tc.body + "\n}\n"
		_, diags := LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(src)}, os.ReadFile)
		var all []string
		for _, d := range diags {
			all = append(all, d.Summary+": "+d.Detail)
		}
		if !diags.HasErrors() || !strings.Contains(strings.Join(all, "\n"), tc.want) {
			t.Errorf("%s:\ngot %v\nwant %q", tc.body, diags, tc.want)
		}
		for _, d := range diags {
			if d.Subject == nil || d.Subject.Filename != "t/main.tend.hcl" {
				t.Errorf("diagnostic without a position: %v", d)
			}
		}
	}
}
