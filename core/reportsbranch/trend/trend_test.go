package trend

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/reportsbranch"
)

var t0 = time.Date(2026, 11, 20, 22, 0, 0, 0, time.UTC)

func commit(t *testing.T, dir string, at time.Time, files reportsbranch.Files) {
	t.Helper()
	if _, _, err := reportsbranch.Write(dir, "tend/reports", files, reportsbranch.Commit{Message: "tend: test",
		Author: object.Signature{Name: "tend", Email: "tend@example.com", When: at}}); err != nil {
		t.Fatal(err)
	}
}

func summary(at time.Time, compliant, non int) []byte {
	return fmt.Appendf(nil, `{"generated_at": %q, "config_commit": "c0ffee", "hosts": %d, "compliant": %d, "non_compliant": %d, "unknown": 0,
"compliance_percent": %.1f, "clients": {"acme": {"hosts": %d, "compliant": %d, "non_compliant": %d, "unknown": 0, "compliance_percent": 0}}}`,
		at.Format(time.RFC3339), compliant+non, compliant, non, float64(compliant)*100/float64(compliant+non), compliant+non, compliant, non)
}

func report(state string, missing int) []byte {
	items := ""
	for i := range missing {
		if i > 0 {
			items += ","
		}
		items += `{"state": "missing"}`
	}
	return fmt.Appendf(nil, `{"format_version": "1", "config_commit": "c0ffee", "state": %q, "items": [%s]}`, state, items)
}

// TestRead walks a real branch: one point per commit with a summary, a
// host's point only where its report changed.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	commit(t, dir, t0, reportsbranch.Files{"summary.json": summary(t0, 0, 2),
		"hosts/a/report.json": report("non_compliant", 2), "hosts/b/report.json": report("non_compliant", 1)})
	commit(t, dir, t0.Add(time.Hour), reportsbranch.Files{"status.json": []byte(`{"state": "invalid"}`)}) // status only
	commit(t, dir, t0.Add(24*time.Hour), reportsbranch.Files{"summary.json": summary(t0.Add(24*time.Hour), 1, 1),
		"hosts/a/report.json": report("compliant", 0)})
	commit(t, dir, t0.Add(48*time.Hour), reportsbranch.Files{"summary.json": summary(t0.Add(48*time.Hour), 2, 0),
		"hosts/b/report.json": report("compliant", 0), "hosts/b/inventory.json": []byte("{}")})
	ref, err := repo.Reference("refs/heads/tend/reports", true)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Read(repo, ref.Hash(), 0)
	if err != nil {
		t.Fatal(err)
	}
	// The status-only commit adds no point.
	var got []string
	for _, p := range h.Fleet {
		got = append(got, fmt.Sprintf("%s %d/%d %.1f acme=%d", p.At.Format("01-02T15"), p.Compliant, p.Hosts, p.CompliancePercent, p.Clients["acme"].Compliant))
	}
	want := []string{"11-20T22 0/2 0.0 acme=0", "11-21T22 1/2 50.0 acme=1", "11-22T22 2/2 100.0 acme=2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("fleet points:\n got %q\nwant %q", got, want)
	}
	hosts := map[string][]string{}
	for host, pts := range h.Hosts {
		for _, p := range pts {
			hosts[host] = append(hosts[host], fmt.Sprintf("%s %s m%d", p.At.Format("01-02"), p.State, p.Missing))
		}
	}
	if fmt.Sprint(hosts["a"]) != "[11-20 non_compliant m2 11-21 compliant m0]" ||
		fmt.Sprint(hosts["b"]) != "[11-20 non_compliant m1 11-22 compliant m0]" {
		t.Errorf("host points: %v", hosts)
	}
	// max bounds the walk to the newest commits.
	if h, err = Read(repo, ref.Hash(), 2); err != nil || len(h.Fleet) != 2 {
		t.Fatalf("Read(max 2): %v points, %v", len(h.Fleet), err)
	}
}

// TestReadDirWithoutRepository: no repository, no history, no error.
func TestReadDirWithoutRepository(t *testing.T) {
	h, err := ReadDir(t.TempDir(), "", "tend/reports")
	if err != nil || h != nil {
		t.Fatalf("ReadDir: %v, %v", h, err)
	}
	if _, err := ReadDir(t.TempDir(), "origin/tend/reports", "tend/reports"); err == nil {
		t.Fatal("ReadDir with a revision outside a repository: no error")
	}
}

// TestReadExposure: summaries with vulnerabilities give the exposure over
// time; older ones without it give none.
func TestReadExposure(t *testing.T) {
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	commit(t, dir, t0, reportsbranch.Files{"summary.json": summary(t0, 0, 2)})
	withVulns := func(at time.Time, open, kev int) []byte {
		return fmt.Appendf(nil, `{"generated_at": %q, "hosts": 2, "vulnerabilities": {"missing": [], "no_fix": [],
"exposure": {"host_cves": %d, "kev_host_cves": %d, "overdue_host_cves": 0, "cves": 1, "kev_cves": 1, "no_fix_host_cves": 3}}}`,
			at.Format(time.RFC3339), open, kev)
	}
	commit(t, dir, t0.Add(24*time.Hour), reportsbranch.Files{"summary.json": withVulns(t0.Add(24*time.Hour), 4, 2)})
	commit(t, dir, t0.Add(48*time.Hour), reportsbranch.Files{"summary.json": withVulns(t0.Add(48*time.Hour), 1, 0)})
	ref, err := repo.Reference("refs/heads/tend/reports", true)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Read(repo, ref.Hash(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range h.Fleet {
		if p.Exposure == nil {
			got = append(got, "none")
			continue
		}
		got = append(got, fmt.Sprintf("%d/%d/%d", p.Exposure.HostCVEs, p.Exposure.KEVHostCVEs, p.Exposure.NoFixHostCVEs))
	}
	if want := "[none 4/2/3 1/0/3]"; fmt.Sprint(got) != want {
		t.Errorf("exposure over time %v, want %s", got, want)
	}
}
