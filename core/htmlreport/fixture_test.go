package htmlreport

import (
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/compliance"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/reportsbranch/trend"
)

var (
	day0    = time.Date(2026, 11, 20, 22, 0, 0, 0, time.UTC)
	clients = map[string]string{"acme_web_1": "acme", "acme_db_1": "acme", "globex_fs01": "globex", "globex_fs02": "globex", "lab_1": ""}
)

func at(d int) *time.Time {
	t := day0.Add(time.Duration(d) * 24 * time.Hour)
	return &t
}

// fleet returns the reports of a small fleet on day d: acme_web_1 gets
// its openssl update on day 2, globex_fs01 its KB on day 3; acme_db_1
// keeps a rejected package and waits for a reboot; lab_1 was scanned
// once, long ago.
func fleet(d int) []model.Report {
	web := model.Report{Host: "acme_web_1", ScannedAt: at(d), State: model.HostNonCompliant, Items: []model.Item{
		{Provider: "apt", Package: "openssl", Installed: "3.0.14-1", Required: "3.0.15-1", State: model.ItemMissing, Classification: "security", CVEs: []string{"CVE-2026-10211"}},
		{Provider: "apt", Package: "nginx", Installed: "1.22.1-9", Required: "1.22.1-9", State: model.ItemInstalled, Classification: "security", CVEs: []string{}},
	}}
	if d >= 2 {
		web.State = model.HostCompliant
		web.Items[0].Installed, web.Items[0].State = "3.0.15-1", model.ItemInstalled
		web.Items[0].InstalledAt = at(2)
		web.LastApply = &model.LastApply{StartedAt: *at(2), FinishedAt: at(2).Add(time.Minute),
			Results: []model.ActionResult{{ActionID: "acme_web_1/apt/openssl", Status: model.StatusSucceeded}}}
	}
	db := model.Report{Host: "acme_db_1", ScannedAt: at(d), State: model.HostNonCompliant, Items: []model.Item{
		{Provider: "apt", Package: "openssl", Installed: "3.0.14-1", Required: "3.0.15-1", State: model.ItemFailed, Classification: "security", CVEs: []string{"CVE-2026-10211"}, Detail: "dpkg: error processing package openssl"},
		{Provider: "apt", Package: "telnetd", Installed: "0.17-44", State: model.ItemInstalledRejected, Classification: "", CVEs: []string{}},
		{Provider: "apt", Package: model.RebootItem, State: model.ItemInstalledPendingReboot, CVEs: []string{}},
	}, LastApply: &model.LastApply{StartedAt: *at(1), FinishedAt: at(1).Add(time.Minute),
		Results: []model.ActionResult{{ActionID: "acme_db_1/apt/openssl", Status: model.StatusFailed, Message: "exit status 100"}}}}
	fs := model.Report{Host: "globex_fs01", ScannedAt: at(d), State: model.HostNonCompliant, Items: []model.Item{
		{Provider: "windowsupdate", Package: "2026-11 Cumulative Update (KB5046617)", Installed: "", Required: "KB5046617", State: model.ItemMissing, Classification: "security", CVEs: []string{"CVE-2026-38104"}, KB: "KB5046617", Title: "2026-11 Cumulative Update for Windows Server 2022 (KB5046617)", Severity: "Critical"},
	}}
	if d >= 3 {
		fs.State = model.HostCompliant
		fs.Items[0].Installed, fs.Items[0].State = "KB5046617", model.ItemInstalled
	}
	fs2 := model.Report{Host: "globex_fs02", ScannedAt: at(d), State: model.HostNonCompliant, Items: []model.Item{
		{Provider: "windowsupdate", Package: "2026-11 Cumulative Update (KB5046617)", Installed: "", Required: "KB5046617", State: model.ItemMissing, Classification: "security", CVEs: []string{"CVE-2026-38104"}, KB: "KB5046617", Title: "2026-11 Cumulative Update for Windows Server 2022 (KB5046617)", Severity: "Critical"},
	}}
	lab := model.Report{Host: "lab_1", ScannedAt: at(-9), State: model.HostCompliant, Items: []model.Item{}}
	out := []model.Report{web, db, fs, fs2, lab}
	for i := range out {
		out[i].FormatVersion, out[i].ConfigCommit = model.ReportFormatVersion, "9f2c1234567890abcdef1234567890abcdef1234"
	}
	return out
}

// vulns is what the feeds would say of the fleet's missing CVEs (made up
// for the fixture): the KB's CVE is KEV-listed, and acme_db_1 is exposed
// to a CVE no update fixes yet.
func vulns(reports []model.Report) *model.VulnSummary {
	facts := map[string]model.Vuln{
		"CVE-2026-10211": {ID: "CVE-2026-10211", CVSS: 7.5, EPSS: 0.0123},
		"CVE-2026-38104": {ID: "CVE-2026-38104", CVSS: 9.8, EPSS: 0.9374, KEV: true, KEVDue: "2026-12-10"},
	}
	by := map[string]*model.CVESummary{}
	for _, r := range reports {
		for _, it := range r.Items {
			if it.State != model.ItemMissing && it.State != model.ItemFailed {
				continue
			}
			for _, c := range it.CVEs {
				if by[c] == nil {
					by[c] = &model.CVESummary{Vuln: facts[c], Clients: map[string]int{}, Overdue: []string{}}
				}
				by[c].Hosts = append(by[c].Hosts, r.Host)
				by[c].Clients[clients[r.Host]]++
			}
		}
	}
	v := &model.VulnSummary{Missing: []model.CVESummary{}, NoFix: []model.CVESummary{
		{Vuln: model.Vuln{ID: "CVE-2026-20001", CVSS: 5.3}, Hosts: []string{"acme_db_1"}, Clients: map[string]int{"acme": 1}, Overdue: []string{}},
	}}
	for _, id := range []string{"CVE-2026-38104", "CVE-2026-10211"} {
		if c := by[id]; c != nil {
			if id == "CVE-2026-38104" {
				c.Overdue = []string{"globex_fs02"}
			}
			v.Missing = append(v.Missing, *c)
		}
	}
	// Counted as compliance.Vulns counts them.
	for _, c := range v.Missing {
		v.Exposure.CVEs++
		v.Exposure.HostCVEs += len(c.Hosts)
		v.Exposure.OverdueHostCVEs += len(c.Overdue)
		if c.KEV {
			v.Exposure.KEVCVEs++
			v.Exposure.KEVHostCVEs += len(c.Hosts)
		}
	}
	for _, c := range v.NoFix {
		v.Exposure.NoFixHostCVEs += len(c.Hosts)
	}
	return v
}

// fixture commits days 0–3 of the fleet to a real reports branch and
// returns day 3's site input, with the branch's history.
func fixture(t *testing.T) Input {
	t.Helper()
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	var in Input
	for d := 0; d <= 3; d++ {
		reports := fleet(d)
		s := compliance.Summarize(reports, clients, "9f2c1234567890abcdef1234567890abcdef1234", *at(d))
		s.Vulnerabilities = vulns(reports)
		files, err := compliance.Layout(reports, &s, nil)
		if err != nil {
			t.Fatal(err)
		}
		msg, tr := reportsbranch.Message(s.ConfigCommit, s.Hosts, 1, 0)
		if _, _, err := reportsbranch.Write(dir, "tend/reports", files, reportsbranch.Commit{Message: msg, Trailers: tr,
			Author: object.Signature{Name: "tend", Email: "tend@example.com", When: *at(d)}}); err != nil {
			t.Fatal(err)
		}
		in = Input{Summary: &s, Reports: reports, Clients: clients,
			Groups:   map[string][]string{"web": {"acme_web_1"}, "windows": {"globex_fs01", "globex_fs02"}},
			Policies: map[string][]string{"linux_security": {"acme_web_1", "acme_db_1", "lab_1"}, "windows_monthly": {"globex_fs01", "globex_fs02"}}}
	}
	// tend serve's agent mode: one unmanaged agent of acme's, one only
	// enrolled, and acme's web host silent.
	seen, silent := at(3).Add(-20*time.Minute), at(3).Add(-5*time.Hour)
	in.Summary.Agents = &model.AgentPresence{StaleAfter: "3h",
		Unmanaged: []model.UnmanagedAgent{
			{Host: "acme_kiosk_7", Client: "acme", FirstSeen: at(2), LastSeen: &seen, AgentVersion: "0.9.0",
				Facts: map[string]string{"os": "debian", "release": "12", "kernel": "6.1.0-18-amd64", "arch": "amd64"}},
			{Host: "edge_2", Enrolled: true},
		},
		Stale: []model.StaleAgent{{Host: "acme_web_1", Client: "acme", LastSeen: &silent}}}
	ref, err := repo.Reference("refs/heads/tend/reports", true)
	if err != nil {
		t.Fatal(err)
	}
	if in.History, err = trend.Read(repo, ref.Hash(), 0); err != nil {
		t.Fatal(err)
	}
	return in
}
