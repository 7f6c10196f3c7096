package htmlreport

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch/trend"
)

// benchSize reads a size from the environment (the benchmark's defaults
// are the goal's: 1,000 reconcile commits of 1,000 hosts).
func benchSize(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// genBranch makes, with git fast-import, a reports branch of commits
// reconciles of hosts hosts in ten clients, as tend serve writes it: every
// commit renews every host's report.json (its scanned_at) and
// summary.json; hosts get patched over time. It returns the fleet's last
// reports and summary.
func genBranch(b *testing.B, dir string, commits, hosts int) ([]model.Report, model.FleetSummary) {
	b.Helper()
	cmd := exec.Command("git", "-c", "init.defaultBranch=main", "init", "-q", "--bare", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git init: %v\n%s", err, out)
	}
	imp := exec.Command("git", "fast-import", "--quiet")
	imp.Dir = dir
	in, err := imp.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	var stderr bytes.Buffer
	imp.Stderr = &stderr
	if err := imp.Start(); err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(in, 1<<20)
	data := func(p []byte) { fmt.Fprintf(w, "data %d\n", len(p)); w.Write(p); w.WriteByte('\n') }
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var reports []model.Report
	var sum model.FleetSummary
	for c := range commits {
		at := start.Add(time.Duration(c) * 6 * time.Hour)
		reports = reports[:0]
		sum = model.FleetSummary{GeneratedAt: at, ConfigCommit: "9f2c1234567890abcdef1234567890abcdef1234",
			Clients: map[string]model.Counts{}, MissingByCVE: map[string][]string{}, MissingByKB: map[string][]string{},
			Failures: []model.Failure{}, PendingReboots: []string{}, HaltedRollouts: []string{}, RecentlyInstalled: []model.RecentInstall{}}
		fmt.Fprintf(w, "commit refs/heads/tend/reports\ncommitter tend <tend@example.com> %d +0000\n", at.Unix())
		data([]byte(fmt.Sprintf("tend: 9f2c12345678 %d hosts, 1 changed, 0 failed", hosts)))
		for h := range hosts {
			name := fmt.Sprintf("host_%04d", h)
			client := fmt.Sprintf("client_%d", h%10)
			// A host is patched once c passes its turn, which comes round again.
			patched := (c+h)%100 < 60
			scanned := at
			r := model.Report{FormatVersion: "1", Host: name, ConfigCommit: sum.ConfigCommit, ScannedAt: &scanned,
				State: model.HostCompliant, Items: []model.Item{
					{Provider: "apt", Package: "openssl", Installed: "3.0.15-1", Required: "3.0.15-1", State: model.ItemInstalled, Classification: "security", CVEs: []string{"CVE-2026-10211"}},
					{Provider: "apt", Package: "nginx", Installed: "1.22.1-9", Required: "1.22.1-9", State: model.ItemInstalled, Classification: "security", CVEs: []string{}},
				}}
			counts := sum.Clients[client]
			counts.Hosts++
			if !patched {
				r.State = model.HostNonCompliant
				r.Items[0].Installed, r.Items[0].State = "3.0.14-1", model.ItemMissing
				sum.MissingByCVE["CVE-2026-10211"] = append(sum.MissingByCVE["CVE-2026-10211"], name)
				counts.NonCompliant++
				sum.NonCompliant++
			} else {
				counts.Compliant++
				sum.Compliant++
			}
			sum.Clients[client] = counts
			sum.Hosts++
			reports = append(reports, r)
			js, err := json.MarshalIndent(r, "", "  ")
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(w, "M 100644 inline hosts/%s/report.json\n", name)
			data(js)
		}
		sum.CompliancePercent = float64(int(float64(sum.Compliant)*1000/float64(sum.Hosts)+0.5)) / 10
		for k, v := range sum.Clients {
			v.CompliancePercent = float64(int(float64(v.Compliant)*1000/float64(v.Hosts)+0.5)) / 10
			sum.Clients[k] = v
		}
		js, err := json.MarshalIndent(sum, "", "  ")
		if err != nil {
			b.Fatal(err)
		}
		w.WriteString("M 100644 inline summary.json\n")
		data(js)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	in.Close()
	if err := imp.Wait(); err != nil {
		b.Fatalf("git fast-import: %v\n%s", err, stderr.String())
	}
	return reports, sum
}

// BenchmarkHTMLReport times what tend report --html adds to a report on
// a long branch: reading the trend from the reports branch's history
// (every summary.json; the newest trend.HostCommits commits' host
// reports) and writing the site, for TEND_BENCH_COMMITS (1000) commits of
// TEND_BENCH_HOSTS (1000) hosts. It reports git log -p over the same
// summary.json history, and the ratio.
func BenchmarkHTMLReport(b *testing.B) {
	commits, hosts := benchSize("TEND_BENCH_COMMITS", 1000), benchSize("TEND_BENCH_HOSTS", 1000)
	dir := filepath.Join(b.TempDir(), "reports.git")
	t0 := time.Now()
	reports, sum := genBranch(b, dir, commits, hosts)
	b.Logf("generated %d commits × %d hosts in %s", commits, hosts, time.Since(t0).Round(time.Millisecond))
	clients := map[string]string{}
	for _, r := range reports {
		clients[r.Host] = "client_" + r.Host[len(r.Host)-1:]
	}
	repo, err := git.PlainOpen(dir)
	if err != nil {
		b.Fatal(err)
	}
	ref, err := repo.Reference("refs/heads/tend/reports", true)
	if err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	var pages int
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for range b.N {
		hist, err := trend.Read(repo, ref.Hash(), 0)
		if err != nil {
			b.Fatal(err)
		}
		if len(hist.Fleet) != commits {
			b.Fatalf("%d points, want %d", len(hist.Fleet), commits)
		}
		files, err := Build(Input{Summary: &sum, Reports: reports, Clients: clients, History: hist})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Write(out, files); err != nil {
			b.Fatal(err)
		}
		pages = len(files)
	}
	b.StopTimer()
	per := b.Elapsed() / time.Duration(b.N)
	cpu := (cpuTime(b) - cpu0) / time.Duration(b.N)
	t1 := time.Now()
	gitLog := exec.Command("git", "log", "-p", "--first-parent", "tend/reports", "--", "summary.json")
	gitLog.Dir = dir
	if err := gitLog.Run(); err != nil {
		b.Fatal(err)
	}
	logTime := time.Since(t1)
	b.ReportMetric(float64(pages), "pages")
	b.ReportMetric(cpu.Seconds(), "cpu-s/op")
	b.ReportMetric(logTime.Seconds()*1000, "git-log-p-ms")
	b.ReportMetric(per.Seconds()/logTime.Seconds(), "ratio")
	b.Logf("trend + site: %s per run, %s of CPU (%d pages); git log -p over summary.json: %s; ratio %.2f", per.Round(time.Millisecond), cpu.Round(time.Millisecond), pages, logTime.Round(time.Millisecond), per.Seconds()/logTime.Seconds())
}

// cpuTime is the process's user and system CPU time so far: on a busy
// machine it says what the run costs better than the wall clock.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
