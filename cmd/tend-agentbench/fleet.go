package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tend-sh/tend/core/agentwire"
)

// group is the one host group every simulated agent belongs to: the merged
// policy reaches 100% of them.
const group = "all"

// agent is one simulated tend agent: its own NATS connection, a plain
// subscription on its group's desired state and one on the command subject
// of each host it stands for (with fewer agents than ring hosts, agent i
// answers for hosts i, i+N, i+2N, …).
type agent struct {
	index int
	host  string
	nc    *nats.Conn
	js    jetstream.JetStream
	// revision is the highest desired-state revision the agent holds.
	revision atomic.Uint64
}

// fleet is every simulated agent and what they observed.
type fleet struct {
	agents []*agent
	// failing names the ring hosts whose jobs fail (a fixed, seeded set).
	failing map[string]bool
	// onDesired is called when an agent receives a desired state; the
	// steps set it while the agents' callbacks run, hence atomic.
	onDesired atomic.Pointer[func(a *agent, d *agentwire.DesiredState, at time.Time)]
	// onReconnect is called when an agent's connection is back.
	onReconnect atomic.Pointer[func(a *agent)]
	// applyErrors counts results an agent failed to publish.
	applyErrors atomic.Int64
}

func hostName(i int) string { return fmt.Sprintf("host-%05d", i) }

// connect connects n agents, at most parallel at a time, each standing for
// the hosts i, i+n, … below hosts.
func (f *fleet) connect(url string, n, hosts, parallel int, jitter time.Duration) error {
	f.agents = make([]*agent, n)
	return forEach(n, parallel, func(i int) error {
		a := &agent{index: i, host: hostName(i)}
		nc, err := nats.Connect(url,
			nats.Name(a.host),
			nats.Timeout(time.Minute),
			nats.MaxReconnects(-1),
			nats.ReconnectWait(time.Second),
			nats.ReconnectJitter(jitter, jitter),
			nats.ReconnectBufSize(-1),
			nats.ReconnectHandler(func(*nats.Conn) {
				if fn := f.onReconnect.Load(); fn != nil {
					(*fn)(a)
				}
			}),
			nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}),
		)
		if err != nil {
			return fmt.Errorf("agent %s: %w", a.host, err)
		}
		a.nc = nc
		if a.js, err = jetstream.New(nc); err != nil {
			return err
		}
		if _, err := nc.Subscribe(agentwire.DesiredSubject(group), func(m *nats.Msg) {
			at := time.Now()
			var d agentwire.DesiredState
			if json.Unmarshal(m.Data, &d) != nil {
				return
			}
			a.revision.Store(max(a.revision.Load(), d.Revision))
			if fn := f.onDesired.Load(); fn != nil {
				(*fn)(a, &d, at)
			}
		}); err != nil {
			return err
		}
		for h := i; h < max(hosts, n); h += n {
			host := hostName(h)
			if _, err := nc.Subscribe(agentwire.CommandSubject(host), func(m *nats.Msg) { f.answer(a, m) }); err != nil {
				return err
			}
		}
		f.agents[i] = a
		return nc.Flush()
	})
}

// answer is an agent's side of a job: it "applies" it at once and publishes
// the Result to TEND_RESULTS with the result's dedup id.
func (f *fleet) answer(a *agent, m *nats.Msg) {
	var job agentwire.Job
	if err := json.Unmarshal(m.Data, &job); err != nil {
		f.applyErrors.Add(1)
		return
	}
	now := time.Now()
	r := agentwire.Result{
		Version: agentwire.Version, JobID: job.ID, Host: job.Host, Outcome: agentwire.OutcomeApplied,
		StartedAt: now, FinishedAt: now, Failed: f.failing[job.Host],
	}
	body, _ := json.Marshal(r)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := a.js.Publish(ctx, agentwire.ResultsSubject(job.Host), body, jetstream.WithMsgID("result-"+job.ID)); err != nil {
		f.applyErrors.Add(1)
	}
}

// close closes every agent's connection.
func (f *fleet) close() {
	var wg sync.WaitGroup
	for _, a := range f.agents {
		if a != nil && a.nc != nil {
			wg.Go(a.nc.Close)
		}
	}
	wg.Wait()
}

// forEach runs fn for 0…n-1, at most parallel at a time, and returns the
// first error.
func forEach(n, parallel int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	sem := make(chan struct{}, parallel)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(i); err != nil {
				once.Do(func() { first = err })
			}
		})
	}
	wg.Wait()
	return first
}
