package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/compliance"
	"github.com/tend-sh/tend/core/config"
	tendfleet "github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/planner"
)

// ingestResult is every agent's scan published to TEND_SCANS, ingested by
// tend serve's controller and made into per-client summaries.
type ingestResult struct {
	Reports     int     `json:"reports"`
	Bytes       int     `json:"bytes_each"`
	Retried     int     `json:"retried"`
	Stored      uint64  `json:"stored"`
	Clients     int     `json:"clients"`
	Wall        float64 `json:"wall_s"`
	MsgsPerSec  float64 `json:"msgs_per_s"`
	ServerCPU   float64 `json:"server_cpu_s"`
	CPUPerMsgMS float64 `json:"server_cpu_per_report_ms"`
	// ClientCPU is the benchmark process's CPU meanwhile: the agents
	// publishing and the controller ingesting.
	ClientCPU float64 `json:"agents_and_controller_cpu_s"`
	// Summed are the hosts the per-client summaries add up to and the
	// installed packages of the snapshots they were computed from.
	SummedHosts     int `json:"summed_hosts"`
	SummedInstalled int `json:"summed_installed"`
	// The reports of every host and the per-client summaries computed
	// from the ingested inventory: wall and CPU seconds, growth of the
	// process's peak RSS, files of the reports layout.
	ClientSummaries  int     `json:"client_summaries"`
	SummaryWall      float64 `json:"summaries_wall_s"`
	SummaryCPU       float64 `json:"summaries_cpu_s"`
	SummaryRSSGrowth int64   `json:"summaries_rss_growth_bytes"`
	SummaryFiles     int     `json:"summaries_files"`
}

// snapshot is an inventory.json of installed packages and available
// updates, in the shape tend scan writes.
func snapshot(host string, at time.Time, installed, available int) json.RawMessage {
	var b strings.Builder
	fmt.Fprintf(&b, `{"format_version":"1","host":%q,"scanned_at":%q,"providers":{"apt":{"facts":{"kernel":"6.1.0-49-amd64","os":"debian","release":"12"},"pending_reboot":false,"installed":[`, host, at.Format(time.RFC3339))
	for i := range installed {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"pkg%04d","name":"pkg%04d","version":"1.%d.0-1+deb12u1","arch":"amd64"}`, i, i, i%50)
	}
	b.WriteString(`],"available":[`)
	for i := range available {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"pkg%04d","name":"pkg%04d","from":"1.%d.0-1+deb12u1","to":"1.%d.1-1+deb12u1","classification":"security","severity":"","cves":[],"kb":"","released_at":"0001-01-01T00:00:00Z","reboot_required":false}`, i, i, i%50, i%50)
	}
	b.WriteString(`]}}}`)
	return json.RawMessage(b.String())
}

// ingest has every agent publish one Scan (with its dedup id; retried of
// them publish it twice, as after a reconnect) while tend serve's
// controller (core/fleet) ingests TEND_SCANS into its inventory directory;
// then the reports of every host and the per-client summaries are computed
// from that inventory as a reconcile does (summaries).
func ingest(ctx context.Context, logTo io.Writer, url string, js jetstream.JetStream, f *fleet, h *hub, clients, installed, available, retried int) (*ingestResult, error) {
	n := len(f.agents)
	dir, err := os.MkdirTemp("", "tend-agentbench-ingest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	invDir := filepath.Join(dir, "inventory")
	log := logrus.New()
	log.SetOutput(logTo)
	log.SetLevel(logrus.WarnLevel)
	ctl, err := tendfleet.Connect(ctx, tendfleet.Options{URL: url, InventoryDir: invDir, Log: log})
	if err != nil {
		return nil, err
	}
	defer func() { _ = js.DeleteStream(context.Background(), agentwire.StreamScans) }()
	defer ctl.Close()
	scans, err := js.Stream(ctx, agentwire.StreamScans)
	if err != nil {
		return nil, err
	}

	at := time.Now().UTC()
	var size atomic.Int64
	cpu, self, start := h.cpu(), selfCPU(), time.Now()
	if err := forEach(n, 256, func(i int) error {
		a := f.agents[i]
		body, err := json.Marshal(agentwire.Scan{Version: agentwire.Version, Host: a.host, ScannedAt: at, Snapshot: snapshot(a.host, at, installed, available)})
		if err != nil {
			return err
		}
		size.Store(int64(len(body)))
		id := "scan-" + a.host + "-" + at.Format(time.RFC3339Nano)
		times := 1
		if i < retried {
			times = 2
		}
		for range times {
			if _, err := a.js.Publish(ctx, agentwire.ScansSubject(a.host), body, jetstream.WithMsgID(id)); err != nil {
				return fmt.Errorf("%s: %w", a.host, err)
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	consumed := 0
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if consumed = countSnapshots(invDir); consumed >= n {
			break
		}
	}
	wall := time.Since(start)
	res := &ingestResult{
		Reports: n, Bytes: int(size.Load()), Retried: retried, Clients: clients, Wall: wall.Seconds(),
		MsgsPerSec: float64(consumed) / wall.Seconds(), ServerCPU: (h.cpu() - cpu).Seconds(), ClientCPU: (selfCPU() - self).Seconds(),
	}
	h.sampleRSS()
	res.CPUPerMsgMS = res.ServerCPU * 1000 / float64(n)
	if info, err := scans.Info(ctx); err == nil {
		res.Stored = info.State.Msgs
	}
	if consumed < n {
		return res, fmt.Errorf("the controller ingested %d of %d scans", consumed, n)
	}
	if err := summaries(res, dir, invDir, f, clients); err != nil {
		return res, err
	}
	return res, nil
}

// countSnapshots counts the hosts with an inventory.json in dir.
func countSnapshots(dir string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "inventory.json")); err == nil {
			n++
		}
	}
	return n
}

// clientOf is the MSP client of the agent with index i.
func clientOf(i, clients int) string { return fmt.Sprintf("client-%03d", i%clients) }

// fleetConfig writes a configuration of the agent hosts to dir: one host
// list per client (labelled with it), a group of every host and one
// security policy over it.
func fleetConfig(dir string, hosts []string, client func(i int) string) error {
	byClient := map[string][]map[string]string{}
	for i, h := range hosts {
		byClient[client(i)] = append(byClient[client(i)], map[string]string{"name": h, "transport": "agent"})
	}
	var b strings.Builder
	b.WriteString("provider \"apt\" {}\n")
	for _, c := range slices.Sorted(maps.Keys(byClient)) {
		data, err := json.Marshal(byClient[c])
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, c+".json"), data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&b, "hosts %q {\n  file   = %q\n  labels = { client = %q, fleet = \"bench\" }\n}\n", c, c+".json", c)
	}
	b.WriteString(`group "all" {
  match = { fleet = "bench" }
}
policy "security" {
  provider = "apt"
  targets  = [group.all]
  reboot   = "never"
  approve {
    classification = ["security"]
  }
}
`)
	return os.WriteFile(filepath.Join(dir, "fleet.tend.hcl"), []byte(b.String()), 0o644)
}

// summaries computes, as a reconcile does, every host's report and the
// fleet and per-client summaries from the ingested inventory: load the
// configuration, read the snapshots, plan, evaluate compliance and render
// the reports layout. The simulated agents are idle meanwhile, so the
// process's CPU time is the controller's.
func summaries(res *ingestResult, dir, invDir string, f *fleet, clients int) error {
	hosts := make([]string, len(f.agents))
	for i, a := range f.agents {
		hosts[i] = a.host
	}
	conf := filepath.Join(dir, "config")
	if err := os.Mkdir(conf, 0o755); err != nil {
		return err
	}
	if err := fleetConfig(conf, hosts, func(i int) string { return clientOf(i, clients) }); err != nil {
		return err
	}
	rss := procStatus(os.Getpid(), "VmRSS:")
	cpu, start := selfCPU(), time.Now()
	cfg, diags := config.Load(conf)
	if diags.HasErrors() {
		return fmt.Errorf("bench configuration: %s", diags.Error())
	}
	inv, err := inventory.ReadDir(invDir)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	plan, warns := planner.Plan(planner.Input{Config: cfg, Inventory: inv, Now: now, ConfigCommit: "bench", InventorySource: "live"})
	reports, sum := compliance.Evaluate(compliance.Input{Plan: plan, Inventory: inv, Clients: cfg.HostLabels("client"),
		ConfigCommit: "bench", Now: now, Warnings: warns})
	files, err := compliance.Layout(reports, &sum, inv)
	if err != nil {
		return err
	}
	res.SummaryWall, res.SummaryCPU = time.Since(start).Seconds(), (selfCPU() - cpu).Seconds()
	res.SummaryRSSGrowth = procStatus(os.Getpid(), "VmHWM:") - rss
	res.SummaryFiles = len(files)
	for _, cs := range compliance.ClientSummaries(reports, &sum) {
		res.SummedHosts += cs.Summary.Hosts
		res.ClientSummaries++
	}
	for _, s := range inv {
		for _, p := range s.Providers {
			res.SummedInstalled += len(p.Installed)
		}
	}
	return nil
}
