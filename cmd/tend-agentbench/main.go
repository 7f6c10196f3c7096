// Command tend-agentbench measures agent mode at fleet scale: N simulated
// agents, each its own NATS connection speaking core/agentwire's subjects and
// messages, against a nats-server with JetStream that runs in a process of
// its own (this binary with -hub), so the server's CPU seconds and RSS are
// read apart from the agents' (/proc and wait4).
//
//	tend-agentbench -agents 10000 -json bin/bench/agents-10000.json
//
// It runs, in order: the desired state of one group (about 20 KB) published
// to every agent (p50 and p100 of its arrival); a ring of -ring hosts
// dispatched through the TEND_JOBS work queue with -max-parallel and
// -max-failures, a fixed seeded set of hosts failing; every agent's scan
// ingested into per-client summaries; and a server restart with every agent
// reconnecting with -jitter and checking its revision with a direct get. A
// Markdown summary goes to stdout. It is a benchmark, not a test: it asserts
// only that the runs completed.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

type options struct {
	agents, ring, maxParallel, rounds, desiredSize, clients, installed, available int
	maxFailures, failRate                                                         float64
	jitter, wait                                                                  time.Duration
	json, store                                                                   string
	// git, when set, runs the Git batching step alone (gitBatch).
	git  bool
	gito gitOptions
}

// results is one run, as -json writes it.
type results struct {
	Agents        int     `json:"agents"`
	FileLimit     uint64  `json:"file_limit"`
	CPUs          int     `json:"cpus"`
	LoadStart     float64 `json:"load_start"`
	LoadEnd       float64 `json:"load_end"`
	ConnectWall   float64 `json:"connect_wall_s"`
	ConnectCPU    float64 `json:"connect_server_cpu_s"`
	IdleRSS       int64   `json:"server_rss_connected_bytes"`
	ServerPeakRSS int64   `json:"server_peak_rss_bytes"`
	ServerCPU     float64 `json:"server_cpu_s"`
	AgentsCPU     float64 `json:"agents_and_controller_cpu_s"`
	AgentsRSS     int64   `json:"agents_and_controller_rss_bytes"`
	Wall          float64 `json:"wall_s"`

	Fanout    []fanoutRound    `json:"fanout"`
	Ring      *ringResult      `json:"ring"`
	Ingest    *ingestResult    `json:"ingest"`
	Reconnect *reconnectResult `json:"reconnect"`
	Git       *gitResult       `json:"git,omitempty"`
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tend-agentbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	hubMode := fs.Bool("hub", false, "run the nats-server only (used by the benchmark itself)")
	port := fs.Int("port", 0, "with -hub: the port to listen on (127.0.0.1)")
	fs.IntVar(&o.agents, "agents", 1000, "simulated agents, each its own connection")
	fs.IntVar(&o.ring, "ring", 5000, "hosts in the rollout ring (agent i answers for hosts i, i+N, …)")
	fs.IntVar(&o.maxParallel, "max-parallel", 100, "the ring's max_parallel (the jobs consumer's MaxAckPending)")
	fs.Float64Var(&o.maxFailures, "max-failures", 0.02, "the ring's max_failures, a fraction of its hosts")
	fs.Float64Var(&o.failRate, "fail-rate", 0.05, "fraction of ring hosts whose jobs fail (fixed seed)")
	fs.IntVar(&o.rounds, "rounds", 3, "desired-state publishes")
	fs.IntVar(&o.desiredSize, "desired-bytes", 20<<10, "size of the desired-state message")
	fs.IntVar(&o.clients, "clients", 10, "MSP clients the hosts are spread over (report summaries)")
	fs.IntVar(&o.installed, "installed", 1000, "installed packages in each scan")
	fs.IntVar(&o.available, "available", 30, "available updates in each scan")
	fs.DurationVar(&o.jitter, "jitter", 8*time.Second, "reconnect jitter of every agent")
	fs.DurationVar(&o.wait, "wait", 3*time.Minute, "how long to wait for a step to reach every agent")
	fs.StringVar(&o.json, "json", "", "write the figures to this file as JSON")
	fs.StringVar(&o.store, "store", "", "JetStream store directory (default: a temporary one, removed)")
	fs.BoolVar(&o.git, "git", false, "run only the Git step: a real tend serve daemon (scan-only, --reports-per-client) and controller under a steady stream of scans, and the commits per minute per client it makes")
	fs.IntVar(&o.gito.clients, "git-clients", 20, "-git: MSP clients")
	fs.IntVar(&o.gito.hostsPerClient, "git-hosts", 500, "-git: agent hosts per client")
	fs.Float64Var(&o.gito.rate, "git-rate", 20, "-git: scans per second over the fleet, each changing its host's report")
	fs.DurationVar(&o.gito.duration, "git-duration", 3*time.Minute, "-git: how long the scans stream")
	fs.DurationVar(&o.gito.interval, "git-interval", 5*time.Second, "-git: the daemon's reconcile interval (tend serve --interval)")
	fs.DurationVar(&o.gito.reportInterval, "report-interval", time.Minute, "-git: tend serve --report-interval")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *hubMode {
		if err := serveHub(*port, o.store); err != nil {
			fmt.Fprintf(stderr, "tend-agentbench -hub: %v\n", err)
			return 1
		}
		return 0
	}
	if o.agents < 1 || o.ring < 1 || o.maxParallel < 1 || o.clients < 1 {
		fmt.Fprintln(stderr, "tend-agentbench: -agents, -ring, -max-parallel and -clients must be at least 1")
		return 2
	}
	res, err := bench(o, stderr)
	if res != nil {
		writeMarkdown(stdout, res)
		if o.json != "" {
			b, _ := json.MarshalIndent(res, "", "  ")
			if werr := os.WriteFile(o.json, append(b, '\n'), 0o644); werr != nil && err == nil {
				err = werr
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "tend-agentbench: %v\n", err)
		return 1
	}
	return 0
}

func bench(o options, log io.Writer) (*results, error) {
	res := &results{Agents: o.agents, FileLimit: raiseFileLimit(), CPUs: runtime.NumCPU(), LoadStart: loadavg()}
	start := time.Now()
	store := o.store
	if store == "" {
		dir, err := os.MkdirTemp("", "tend-agentbench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		store = dir
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	h := &hub{port: port, store: store}
	if err := h.start(); err != nil {
		return nil, err
	}
	defer h.stop()
	url := fmt.Sprintf("nats://127.0.0.1:%d", port)
	ctx := context.Background()

	ctl, err := nats.Connect(url, nats.Name("controller"), nats.Timeout(time.Minute), nats.MaxReconnects(-1))
	if err != nil {
		return nil, err
	}
	defer ctl.Close()
	js, err := jetstream.New(ctl)
	if err != nil {
		return nil, err
	}

	if o.git {
		res.Agents = 0
		fmt.Fprintf(log, "== Git: %d clients × %d hosts, %g scans/s for %s, reconcile every %s, --report-interval %s\n",
			o.gito.clients, o.gito.hostsPerClient, o.gito.rate, o.gito.duration, o.gito.interval, o.gito.reportInterval)
		res.Git, err = gitBatch(ctx, log, url, js, h, o.gito)
		h.sampleRSS()
		res.ServerPeakRSS, res.ServerCPU = h.peakRSS, h.cpu().Seconds()
		res.AgentsCPU, res.AgentsRSS = selfCPU().Seconds(), procStatus(os.Getpid(), "VmHWM:")
		res.Wall, res.LoadEnd = time.Since(start).Seconds(), loadavg()
		return res, err
	}
	f := &fleet{failing: failingHosts(o.ring, o.failRate)}
	defer f.close()
	fmt.Fprintf(log, "== connecting %d agents (file limit %d)\n", o.agents, res.FileLimit)
	cpu, t := h.cpu(), time.Now()
	if err := f.connect(url, o.agents, o.ring, 64, o.jitter); err != nil {
		return nil, err
	}
	res.ConnectWall, res.ConnectCPU = time.Since(t).Seconds(), (h.cpu() - cpu).Seconds()
	time.Sleep(2 * time.Second)
	res.IdleRSS = h.rss()
	finish := func() {
		h.sampleRSS()
		res.ServerPeakRSS, res.ServerCPU = h.peakRSS, h.cpu().Seconds()
		res.AgentsCPU, res.AgentsRSS = selfCPU().Seconds(), procStatus(os.Getpid(), "VmHWM:")
		res.Wall, res.LoadEnd = time.Since(start).Seconds(), loadavg()
	}
	defer finish()

	fmt.Fprintf(log, "== desired state to every agent, %d rounds\n", o.rounds)
	if res.Fanout, err = fanout(ctx, js, f, h, o.rounds, o.desiredSize, o.wait); err != nil {
		return res, fmt.Errorf("fan-out: %w", err)
	}
	fmt.Fprintf(log, "== ring of %d hosts, max_parallel %d, max_failures %g\n", o.ring, o.maxParallel, o.maxFailures)
	if res.Ring, err = ring(ctx, ctl, js, f, h, o.ring, o.maxParallel, o.maxFailures); err != nil {
		return res, fmt.Errorf("ring: %w", err)
	}
	if n := f.applyErrors.Load(); n > 0 {
		return res, fmt.Errorf("ring: %d results were not published", n)
	}
	fmt.Fprintf(log, "== scan ingest from every agent\n")
	if res.Ingest, err = ingest(ctx, log, url, js, f, h, o.clients, o.installed, o.available, o.agents/100); err != nil {
		return res, fmt.Errorf("ingest: %w", err)
	}
	fmt.Fprintf(log, "== server restart, agents reconnecting with %s jitter\n", o.jitter)
	if res.Reconnect, err = reconnect(f, h, o.jitter, o.wait); err != nil {
		return res, fmt.Errorf("reconnect: %w", err)
	}
	return res, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
