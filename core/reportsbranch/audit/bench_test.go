package audit_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/reportsbranch/audit"
)

// The generated branch of the benchmarks: benchHosts hosts, then
// benchCommits reconcile commits, 40 minutes apart (all within 30 days, so
// --since 30d reads every one), each rewriting the summary and
// benchChanged hosts' reports, and every other one recording the applies
// of benchApplied hosts in results.json.
const (
	benchHosts   = 1000
	benchCommits = 1000
	benchChanged = 20
	benchApplied = 5
)

var (
	benchOnce sync.Once
	benchDir  string
	benchHead plumbing.Hash
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchBranch generates the branch once per test binary run, and packs it
// with git when git is installed (as a fetched branch is).
func benchBranch(b *testing.B) (string, plumbing.Hash) {
	benchOnce.Do(func() {
		if benchDir, benchErr = os.MkdirTemp("", "tend-audit-bench-"); benchErr != nil {
			return
		}
		benchHead, benchErr = generate(filepath.Join(benchDir, "repo.git"))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return filepath.Join(benchDir, "repo.git"), benchHead
}

func generate(dir string) (plumbing.Hash, error) {
	if _, err := git.PlainInit(dir, true); err != nil {
		return plumbing.ZeroHash, err
	}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	files := reportsbranch.Files{}
	for h := range benchHosts {
		host := fmt.Sprintf("host_%04d", h)
		files[reportsbranch.ReportPath(host)] = fmt.Appendf(nil, `{"format_version": "1", "host": %q, "state": "compliant", "items": []}`, host)
		files[reportsbranch.SnapshotPath(host)] = fmt.Appendf(nil, `{"format_version": "1", "host": %q, "providers": {}}`, host)
	}
	var head plumbing.Hash
	for c := range benchCommits {
		at := start.Add(time.Duration(c) * 40 * time.Minute)
		files["summary.json"] = fmt.Appendf(nil, `{"generated_at": %q}`, at.Format(time.RFC3339))
		for i := range benchChanged {
			host := fmt.Sprintf("host_%04d", (c*benchChanged+i)%benchHosts)
			files[reportsbranch.ReportPath(host)] = fmt.Appendf(nil, `{"format_version": "1", "host": %q, "state": "non_compliant", "scanned_at": %q, "items": []}`, host, at.Format(time.RFC3339))
		}
		if c == 0 { // tend writes an empty results.json into the branch's first commit
			b, err := jsonResults(at, []model.HostApply{})
			if err != nil {
				return plumbing.ZeroHash, err
			}
			files[reportsbranch.ResultsFile] = b
		}
		if c%2 == 1 {
			var applies []model.HostApply
			for i := range benchApplied {
				host := fmt.Sprintf("host_%04d", (c*benchApplied+i)%benchHosts)
				applies = append(applies, apply(host, fmt.Sprintf("client_%d", i), at, model.AppliedAction{
					ActionID: host + "/apt/openssl", Provider: "apt", Package: "openssl", Type: "upgrade",
					From: "3.0.11-1", To: "3.0.11-2", Policy: "linux_security", Status: model.StatusSucceeded}))
			}
			b, err := jsonResults(at, applies)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			files[reportsbranch.ResultsFile] = b
		}
		msg, tr := reportsbranch.Message("9f2c1ab000000000000000000000000000000000", benchHosts, benchApplied, 0)
		h, _, err := reportsbranch.Write(dir, "tend/reports", files, reportsbranch.Commit{Message: msg, Trailers: tr,
			Author: signatureAt(at)})
		if err != nil {
			return plumbing.ZeroHash, err
		}
		head = h
		files = reportsbranch.Files{} // the next commit writes only what changes
	}
	if _, err := exec.LookPath("git"); err == nil {
		if out, err := exec.Command("git", "--git-dir", dir, "repack", "-adq").CombinedOutput(); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("git repack: %v: %s", err, out)
		}
	}
	return head, nil
}

// BenchmarkWalk30d is tend history --since 30d over the generated branch.
func BenchmarkWalk30d(b *testing.B) {
	dir, head := benchBranch(b)
	repo, err := git.PlainOpen(dir)
	if err != nil {
		b.Fatal(err)
	}
	c, err := repo.CommitObject(head)
	if err != nil {
		b.Fatal(err)
	}
	since := c.Committer.When.AddDate(0, 0, -30)
	b.ResetTimer()
	for b.Loop() {
		// A fresh open each time: no object cache carried over.
		repo, err := git.PlainOpen(dir)
		if err != nil {
			b.Fatal(err)
		}
		events, err := audit.Walk(repo.Storer, head, audit.Filter{Since: since}, repo.Storer)
		if err != nil {
			b.Fatal(err)
		}
		if want := benchCommits / 2 * benchApplied; len(events) != want {
			b.Fatalf("%d events, want %d", len(events), want)
		}
	}
}

// BenchmarkGitLogP is git log -p over the same range, for comparison.
func BenchmarkGitLogP(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git is not installed")
	}
	dir, head := benchBranch(b)
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command("git", "--git-dir", dir, "log", "-p", "--since=2026-10-01", head.String())
		cmd.Stdout = nil // discarded
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
