package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tend-sh/tend/core/agentwire"
)

// ringResult is one rollout ring dispatched through the TEND_JOBS work queue.
type ringResult struct {
	Hosts        int  `json:"hosts"`
	MaxParallel  int  `json:"max_parallel"`
	MaxFailures  int  `json:"max_failures"` // failures allowed; the next one halts the ring
	FailingHosts int  `json:"failing_hosts"`
	Dispatched   int  `json:"dispatched"`
	Answered     int  `json:"answered"`
	Failures     int  `json:"failures"`
	Halted       bool `json:"halted"`
	// Overshoot is failures seen beyond the one that halted the ring.
	Overshoot   int     `json:"overshoot"`
	MaxInFlight int     `json:"max_in_flight"`
	LeftQueued  uint64  `json:"left_queued"`
	Wall        float64 `json:"wall_s"`
	ServerCPU   float64 `json:"server_cpu_s"`
}

// failingHosts is the fixed set of ring hosts whose jobs fail: each with
// probability rate, drawn from a fixed seed.
func failingHosts(hosts int, rate float64) map[string]bool {
	rng := rand.New(rand.NewPCG(19, 2026))
	out := map[string]bool{}
	for i := range hosts {
		if rng.Float64() < rate {
			out[hostName(i)] = true
		}
	}
	return out
}

// ring queues one job per host on TEND_JOBS and dispatches them as the
// controller does: one consumer with MaxAckPending = max_parallel, each job
// forwarded to tend.cmd.<host> and acked when its result arrives on
// TEND_RESULTS; in flight never more than the failures the budget still
// allows; halted by the first failure beyond max_failures.
func ring(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, f *fleet, h *hub, hosts, maxParallel int, maxFailures float64) (*ringResult, error) {
	res := &ringResult{Hosts: hosts, MaxParallel: maxParallel, MaxFailures: int(maxFailures * float64(hosts)), FailingHosts: len(f.failing)}
	jobs, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: agentwire.StreamJobs, Subjects: []string{agentwire.PrefixJobs + ">"},
		Retention: jetstream.WorkQueuePolicy, Storage: jetstream.FileStorage,
	})
	if err != nil {
		return nil, err
	}
	results, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: agentwire.StreamResults, Subjects: []string{agentwire.PrefixResults + ">"},
		Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute,
	})
	if err != nil {
		return nil, err
	}
	subject := agentwire.JobsSubject("bench", 1)
	plan := json.RawMessage(`{"hosts":[{"host":"x","actions":[{"provider":"apt","op":"upgrade","id":"openssl","to":"3.0.20-1~deb12u1"}]}]}`)
	for i := range hosts {
		job := agentwire.Job{
			Version: agentwire.Version, ID: fmt.Sprintf("bench-1-%05d", i), Host: hostName(i), Policy: "bench", Ring: 1,
			ConfigCommit: fmt.Sprintf("%040x", 1), Revision: 1, Plan: plan, NotAfter: time.Now().Add(time.Hour).UTC(),
		}
		body, _ := json.Marshal(job)
		if _, err := js.PublishAsync(subject, body, jetstream.WithMsgID(job.ID)); err != nil {
			return nil, err
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(5 * time.Minute):
		return nil, errors.New("queuing the ring's jobs did not finish in 5 minutes")
	}
	cons, err := jobs.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: "bench-1", FilterSubject: subject, AckPolicy: jetstream.AckExplicitPolicy,
		MaxAckPending: maxParallel, AckWait: 10 * time.Minute,
	})
	if err != nil {
		return nil, err
	}
	got := make(chan agentwire.Result, hosts)
	rc, err := results.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return nil, err
	}
	cc, err := rc.Consume(func(m jetstream.Msg) {
		var r agentwire.Result
		if json.Unmarshal(m.Data(), &r) == nil {
			got <- r
		}
	})
	if err != nil {
		return nil, err
	}
	defer cc.Stop()

	cpu, start := h.cpu(), time.Now()
	inFlight := map[string]jetstream.Msg{}
	for {
		if allowed := min(maxParallel, res.MaxFailures+1-res.Failures) - len(inFlight); !res.Halted && allowed > 0 && res.Dispatched < hosts {
			batch, err := cons.Fetch(allowed, jetstream.FetchMaxWait(5*time.Second))
			if err != nil {
				return nil, err
			}
			for m := range batch.Messages() {
				var job agentwire.Job
				if err := json.Unmarshal(m.Data(), &job); err != nil {
					return nil, err
				}
				if err := nc.Publish(agentwire.CommandSubject(job.Host), m.Data()); err != nil {
					return nil, err
				}
				inFlight[job.ID] = m
				res.Dispatched++
			}
			res.MaxInFlight = max(res.MaxInFlight, len(inFlight))
		}
		if len(inFlight) == 0 && (res.Halted || res.Dispatched == hosts) {
			break
		}
		var r agentwire.Result
		select {
		case r = <-got:
		case <-time.After(2 * time.Minute):
			return nil, fmt.Errorf("no result for 2 minutes with %d jobs in flight", len(inFlight))
		}
		m, ok := inFlight[r.JobID]
		if !ok {
			continue // a duplicate
		}
		delete(inFlight, r.JobID)
		// DoubleAck waits for the server to take the ack, so the job is
		// off the work queue before the next is fetched.
		if err := m.DoubleAck(ctx); err != nil {
			return nil, err
		}
		res.Answered++
		if r.Failed {
			res.Failures++
			if res.Halted {
				res.Overshoot++
			} else if res.Failures > res.MaxFailures {
				res.Halted = true
			}
		}
	}
	res.Wall, res.ServerCPU = time.Since(start).Seconds(), (h.cpu() - cpu).Seconds()
	h.sampleRSS()
	if info, err := jobs.Info(ctx); err == nil {
		res.LeftQueued = info.State.Msgs
	}
	return res, nil
}
