package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/plugins/loader/loadertest"
)

// TestMain lets the test binary stand in for tend-agentbench -hub, which the
// benchmark starts as its server process (os.Executable).
func TestMain(m *testing.M) {
	if slices.Contains(os.Args[1:], "-hub") {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestSmallFleet runs every step with 20 agents against a real server
// process and checks what the steps report, not how fast: every agent got
// every revision, the ring halted at its failure limit with in-flight jobs
// capped, duplicated scans were stored once, every agent reconnected.
func TestSmallFleet(t *testing.T) {
	o := options{
		agents: 20, ring: 400, maxParallel: 10, maxFailures: 0.02, failRate: 0.1, rounds: 2,
		desiredSize: 20 << 10, clients: 3, installed: 50, available: 5,
		jitter: 200 * time.Millisecond, wait: 5 * time.Minute, store: t.TempDir(),
	}
	var log testWriter
	log.t = t
	r, err := bench(o, log)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Fanout {
		if f.Missed != 0 || f.Bytes < 20<<10 {
			t.Errorf("fan-out: %+v", f)
		}
	}
	g := r.Ring
	if !g.Halted || g.Failures != g.MaxFailures+1 || g.Overshoot != 0 || g.MaxInFlight > min(g.MaxParallel, g.MaxFailures+1) ||
		g.Answered != g.Dispatched || uint64(g.Dispatched)+g.LeftQueued != uint64(g.Hosts) {
		t.Errorf("ring: %+v", g)
	}
	if i := r.Ingest; i.Stored != uint64(o.agents) || i.SummedHosts != o.agents || i.SummedInstalled != o.agents*o.installed ||
		i.ClientSummaries != o.clients || i.SummaryFiles < 2*o.agents {
		t.Errorf("ingest: %+v", i)
	}
	if c := r.Reconnect; c.Missing != 0 || c.CheckErrors != 0 {
		t.Errorf("reconnect: %+v", c)
	}
	if r.ServerCPU <= 0 || r.ServerPeakRSS <= 0 {
		t.Errorf("no server accounting: %+v", r)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// BenchmarkAgents1000 is the 1,000-agent run of make bench-agents as a Go
// benchmark (go test ./cmd/tend-agentbench -run '^$' -bench Agents1000
// -benchtime 1x); its figures are reported as metrics.
func BenchmarkAgents1000(b *testing.B) {
	o := options{
		agents: 1000, ring: 5000, maxParallel: 100, maxFailures: 0.02, failRate: 0.05, rounds: 3,
		desiredSize: 20 << 10, clients: 10, installed: 1000, available: 30,
		jitter: 8 * time.Second, wait: 5 * time.Minute,
	}
	for b.Loop() {
		o.store = b.TempDir()
		r, err := bench(o, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		last := r.Fanout[len(r.Fanout)-1]
		b.ReportMetric(last.P100, "fanout-p100-s")
		b.ReportMetric(float64(r.Ring.Overshoot), "ring-overshoot")
		b.ReportMetric(r.Ingest.CPUPerMsgMS, "server-ms/report")
		b.ReportMetric(r.Reconnect.Reconnected, "reconnect-s")
		b.ReportMetric(r.ServerCPU, "server-cpu-s")
		b.ReportMetric(float64(r.ServerPeakRSS>>20), "server-peak-MB")
	}
}

// TestGitBatch runs the Git step small: a real daemon and controller, 3
// clients × 5 hosts, scans streaming for 8 s with a 2 s report interval.
// It checks what the step reports, not how fast: no branch got two commits
// within one interval, every host's last scan landed.
func TestGitBatch(t *testing.T) {
	loadertest.Install(t, "apt", "github.com/tend-sh/tend/providers/apt/cmd/tend-provider-apt")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(t.TempDir(), "gitconfig"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	o := options{git: true, store: t.TempDir(), gito: gitOptions{clients: 3, hostsPerClient: 5, rate: 10,
		duration: 8 * time.Second, interval: 200 * time.Millisecond, reportInterval: 2 * time.Second}}
	var log testWriter
	log.t = t
	r, err := bench(o, log)
	if err != nil {
		t.Fatal(err)
	}
	var md strings.Builder
	writeMarkdown(&md, r)
	t.Log(md.String())
	g := r.Git
	if g.MaxInInterval != 1 || g.MinGap < 2 || g.Landed != g.Streamed || g.Streamed != 15 || g.ClientCommitsMin < 1 || g.FleetCommits < 1 {
		t.Errorf("git: %+v", g)
	}
}
