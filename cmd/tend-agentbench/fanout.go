package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tend-sh/tend/core/agentwire"
)

// fanoutRound is one desired-state publish and how long it took every
// agent to hold it.
type fanoutRound struct {
	Revision  uint64  `json:"revision"`
	Bytes     int     `json:"bytes"`
	P50       float64 `json:"p50_s"`
	P100      float64 `json:"p100_s"`
	Missed    int     `json:"missed"`
	ServerCPU float64 `json:"server_cpu_s"`
}

// desiredStream is TEND_DESIRED as the controller creates it: the last
// message per group, readable with direct gets.
func desiredStream(ctx context.Context, js jetstream.JetStream) error {
	_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: agentwire.StreamDesired, Subjects: []string{agentwire.PrefixDesired + ">"},
		MaxMsgsPerSubject: 1, AllowDirect: true, Storage: jetstream.FileStorage,
	})
	return err
}

// desiredState is a DesiredState of at least size bytes of JSON: a
// configuration file of policies standing for a merged policy.
func desiredState(rev uint64, size int) ([]byte, error) {
	var hcl strings.Builder
	for i := 0; ; i++ {
		body, err := json.Marshal(agentwire.DesiredState{
			Version: agentwire.Version, Group: group, Revision: rev,
			ConfigCommit: fmt.Sprintf("%040x", rev), PublishedAt: time.Now().UTC(),
			Files: map[string][]byte{"main.tend.hcl": []byte(hcl.String())},
		})
		if err != nil || len(body) >= size {
			return body, err
		}
		fmt.Fprintf(&hcl, "policy \"p%03d\" {\n  hosts = [\"group:%s\"]\n  window = \"sun 02:00-04:00\"\n  max_parallel = 100\n}\n", i, group)
	}
}

// fanout publishes rounds desired states on tend.desired.all, one after the
// other, and measures when each agent's plain subscription received it.
func fanout(ctx context.Context, js jetstream.JetStream, f *fleet, h *hub, rounds, size int, wait time.Duration) ([]fanoutRound, error) {
	if err := desiredStream(ctx, js); err != nil {
		return nil, err
	}
	n := len(f.agents)
	var out []fanoutRound
	for r := range rounds {
		rev := uint64(r + 1)
		body, err := desiredState(rev, size)
		if err != nil {
			return nil, err
		}
		lat := make([]atomic.Int64, n)
		var got atomic.Int64
		var sent atomic.Int64
		onDesired := func(a *agent, d *agentwire.DesiredState, at time.Time) {
			if d.Revision == rev && lat[a.index].CompareAndSwap(0, int64(at.Sub(time.Unix(0, sent.Load())))) {
				got.Add(1)
			}
		}
		f.onDesired.Store(&onDesired)
		cpu := h.cpu()
		sent.Store(time.Now().UnixNano())
		if _, err := js.Publish(ctx, agentwire.DesiredSubject(group), body); err != nil {
			return nil, err
		}
		deadline := time.Now().Add(wait)
		for got.Load() < int64(n) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		h.sampleRSS()
		var ds []time.Duration
		for i := range lat {
			if v := lat[i].Load(); v != 0 {
				ds = append(ds, time.Duration(v))
			}
		}
		slices.Sort(ds)
		fr := fanoutRound{Revision: rev, Bytes: len(body), Missed: n - len(ds), ServerCPU: (h.cpu() - cpu).Seconds()}
		if len(ds) > 0 {
			fr.P50, fr.P100 = ds[len(ds)/2].Seconds(), ds[len(ds)-1].Seconds()
		}
		out = append(out, fr)
		f.onDesired.Store(nil)
		time.Sleep(time.Second) // let the server settle between rounds
	}
	return out, nil
}
