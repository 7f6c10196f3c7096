package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tend-sh/tend/core/agentwire"
)

// ingestResult is every agent's scan published to TEND_SCANS and consumed
// by the controller into per-client summaries.
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
	// Summed are the hosts and installed packages the summaries add up to.
	SummedHosts     int `json:"summed_hosts"`
	SummedInstalled int `json:"summed_installed"`
}

// summary is one MSP client's aggregate of its hosts' scans.
type summary struct {
	Hosts, Installed, Available int
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
		fmt.Fprintf(&b, `{"id":"pkg%04d","name":"pkg%04d","version":"1.%d.1-1+deb12u1","arch":"amd64","source":"debian-security"}`, i, i, i%50)
	}
	b.WriteString(`]}}}`)
	return json.RawMessage(b.String())
}

// ingest has every agent publish one Scan (with its dedup id; retried of
// them publish it twice, as after a reconnect) while the controller consumes
// TEND_SCANS into per-client summaries.
func ingest(ctx context.Context, js jetstream.JetStream, f *fleet, h *hub, clients, installed, available, retried int) (*ingestResult, error) {
	n := len(f.agents)
	scans, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: agentwire.StreamScans, Subjects: []string{agentwire.PrefixScans + ">"},
		Storage: jetstream.FileStorage, Duplicates: 5 * time.Minute,
	})
	if err != nil {
		return nil, err
	}
	defer func() { _ = js.DeleteStream(context.Background(), agentwire.StreamScans) }()
	cons, err := scans.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: "ingest", AckPolicy: jetstream.AckExplicitPolicy, MaxAckPending: 1000,
	})
	if err != nil {
		return nil, err
	}
	var (
		mu        sync.Mutex
		summaries = map[string]*summary{}
		consumed  atomic.Int64
		bad       atomic.Int64
	)
	cc, err := cons.Consume(func(m jetstream.Msg) {
		var s struct {
			Host     string `json:"host"`
			Snapshot struct {
				Providers map[string]struct {
					Installed []json.RawMessage `json:"installed"`
					Available []json.RawMessage `json:"available"`
				} `json:"providers"`
			} `json:"snapshot"`
		}
		if json.Unmarshal(m.Data(), &s) != nil {
			bad.Add(1)
		}
		var idx int
		fmt.Sscanf(s.Host, "host-%d", &idx)
		client := fmt.Sprintf("client-%03d", idx%clients)
		mu.Lock()
		sum := summaries[client]
		if sum == nil {
			sum = &summary{}
			summaries[client] = sum
		}
		sum.Hosts++
		for _, p := range s.Snapshot.Providers {
			sum.Installed += len(p.Installed)
			sum.Available += len(p.Available)
		}
		mu.Unlock()
		_ = m.Ack()
		consumed.Add(1)
	})
	if err != nil {
		return nil, err
	}
	defer cc.Stop()

	at := time.Now().UTC()
	var size atomic.Int64
	cpu, start := h.cpu(), time.Now()
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
	deadline := time.Now().Add(5 * time.Minute)
	for consumed.Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	wall := time.Since(start)
	res := &ingestResult{
		Reports: n, Bytes: int(size.Load()), Retried: retried, Clients: clients, Wall: wall.Seconds(),
		MsgsPerSec: float64(consumed.Load()) / wall.Seconds(), ServerCPU: (h.cpu() - cpu).Seconds(),
	}
	h.sampleRSS()
	res.CPUPerMsgMS = res.ServerCPU * 1000 / float64(n)
	if info, err := scans.Info(ctx); err == nil {
		res.Stored = info.State.Msgs
	}
	mu.Lock()
	for _, s := range summaries {
		res.SummedHosts += s.Hosts
		res.SummedInstalled += s.Installed
	}
	mu.Unlock()
	if bad.Load() > 0 {
		return res, fmt.Errorf("%d scans did not decode", bad.Load())
	}
	return res, nil
}
