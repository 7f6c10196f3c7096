package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

// dispatcher is the work-queue consumer of one policy's ring: its
// MaxAckPending is the policy's max_parallel, so no more jobs are out with
// agents at once, and a job is acked only when its result arrived.
type dispatcher struct {
	cc       jetstream.ConsumeContext
	parallel int
}

type result struct{ r agentwire.Result }

// Compile-time check: the controller is apply's Agents seam.
var _ apply.Agents = (*Controller)(nil)

// revisionFor is the desired-state revision host's jobs carry: that of
// its first group at the last PublishDesired.
func (c *Controller) revisionFor(host string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.revisions[host]
}

// Run hands h to its agent through the policy ring's work queue and waits
// for the result. No result within JobTimeout: the host fails as
// unreachable and the job is never sent again (its NotAfter has passed
// too, so a late agent refuses it).
func (c *Controller) Run(ctx context.Context, h model.HostPlan, pol *config.Policy, ring, parallel int) apply.HostResult {
	started := time.Now().UTC()
	subject := agentwire.JobsSubject(h.Policy, ring)
	if err := c.ensureDispatcher(ctx, h.Policy, ring, parallel); err != nil {
		return failAll(h, started, fmt.Errorf("dispatching to the agent: %w", err))
	}
	plan, err := json.Marshal(model.Plan{FormatVersion: "1", GeneratedAt: started, Hosts: []model.HostPlan{h}})
	if err != nil {
		return failAll(h, started, err)
	}
	job := agentwire.Job{Version: agentwire.Version, ID: jobID(h.Host), Host: h.Host, Policy: h.Policy, Ring: ring,
		ConfigCommit: c.commit(), Revision: c.revisionFor(h.Host), Plan: plan, NotAfter: started.Add(c.o.JobTimeout)}
	data, err := json.Marshal(job)
	if err != nil {
		return failAll(h, started, err)
	}
	ch := make(chan result, 1)
	c.mu.Lock()
	c.waiting[job.ID] = ch
	c.mu.Unlock()
	defer c.forget(job.ID)
	if _, err := c.js.Publish(ctx, subject, data, jetstream.WithMsgID("job-"+job.ID)); err != nil {
		return failAll(h, started, fmt.Errorf("queueing the job: %w", err))
	}
	timer := time.NewTimer(c.o.JobTimeout)
	defer timer.Stop()
	select {
	case res := <-ch:
		return toHostResult(h, started, res.r)
	case <-timer.C:
		return failAll(h, started, fmt.Errorf("unreachable: agent %s sent no result within %s", h.Host, c.o.JobTimeout))
	case <-ctx.Done():
		return failAll(h, started, fmt.Errorf("cancelled while waiting for agent %s: %w", h.Host, ctx.Err()))
	}
}

// forget drops a job's waiter; a job message still held (forwarded, no
// result) is terminated so it is never redelivered.
func (c *Controller) forget(id string) {
	c.mu.Lock()
	m := c.inflight[id]
	delete(c.inflight, id)
	delete(c.waiting, id)
	c.mu.Unlock()
	if m != nil {
		_ = m.Term()
	}
}

func (c *Controller) ensureDispatcher(ctx context.Context, policy string, ring, parallel int) error {
	subject := agentwire.JobsSubject(policy, ring)
	c.mu.Lock()
	d := c.dispatch[subject]
	c.mu.Unlock()
	if d != nil && d.parallel == parallel {
		return nil
	}
	if d != nil {
		d.cc.Stop()
	}
	cons, err := c.js.CreateOrUpdateConsumer(ctx, agentwire.StreamJobs, jetstream.ConsumerConfig{
		Durable:       fmt.Sprintf("jobs_%s_%d", policy, ring),
		FilterSubject: subject,
		AckPolicy:     jetstream.AckExplicitPolicy,
		MaxAckPending: max(parallel, 1),
		// A job is delivered once: after a timeout it is terminated,
		// never re-sent stale.
		MaxDeliver: 1,
		AckWait:    c.o.JobTimeout + time.Minute,
	})
	if err != nil {
		return err
	}
	cc, err := cons.Consume(c.forward, jetstream.PullMaxMessages(max(parallel, 1)))
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.dispatch[subject] = &dispatcher{cc: cc, parallel: parallel}
	c.mu.Unlock()
	return nil
}

// forward sends a queued job to its agent's command subject and holds the
// message unacked until the result arrives. A job nobody waits for any
// more, or past its NotAfter, is terminated unsent.
func (c *Controller) forward(m jetstream.Msg) {
	var job agentwire.Job
	if err := json.Unmarshal(m.Data(), &job); err != nil {
		_ = m.Term()
		return
	}
	c.mu.Lock()
	_, wanted := c.waiting[job.ID]
	if wanted && time.Now().Before(job.NotAfter) {
		c.inflight[job.ID] = m
	} else {
		wanted = false
	}
	c.mu.Unlock()
	if !wanted {
		_ = m.Term()
		return
	}
	if err := c.nc.Publish(agentwire.CommandSubject(job.Host), m.Data()); err != nil {
		c.o.Log.WithError(err).WithField("host", job.Host).Warn("sending a job")
	}
}

// onResult hands an agent's result to the job waiting for it and acks the
// job's queue message.
func (c *Controller) onResult(m jetstream.Msg) {
	host := strings.TrimPrefix(m.Subject(), agentwire.PrefixResults)
	var r agentwire.Result
	if err := json.Unmarshal(m.Data(), &r); err != nil || r.Version != agentwire.Version || r.Host != host {
		c.o.Log.WithField("host", host).Warn("ignored a result that is not a version " + agentwire.Version + " result from its own subject")
		return
	}
	c.mu.Lock()
	ch := c.waiting[r.JobID]
	jm := c.inflight[r.JobID]
	delete(c.inflight, r.JobID)
	delete(c.waiting, r.JobID)
	c.seenLocked(host)
	c.mu.Unlock()
	if jm != nil {
		_ = jm.Ack()
	}
	if ch != nil {
		ch <- result{r: r}
	}
}

// toHostResult turns an agent's result into apply's form: the action
// results it reports (missing ones failed), or every action failed with
// the reason when the agent refused or was busy.
func toHostResult(h model.HostPlan, started time.Time, r agentwire.Result) apply.HostResult {
	if r.Outcome != agentwire.OutcomeApplied {
		return failAll(h, started, fmt.Errorf("agent %s %s the job: %s", h.Host, r.Outcome, r.Reason))
	}
	var applied []model.HostApply
	if len(r.HostResults) > 0 && json.Unmarshal(r.HostResults, &applied) != nil {
		var one model.HostApply
		if err := json.Unmarshal(r.HostResults, &one); err != nil {
			return failAll(h, started, fmt.Errorf("agent %s sent results tend cannot read: %w", h.Host, err))
		}
		applied = []model.HostApply{one}
	}
	byID := map[string]model.ActionResult{}
	for _, a := range applied {
		for _, x := range a.Results {
			if x.Provider == "" || x.Provider == h.Provider {
				byID[x.ActionID] = model.ActionResult{ActionID: x.ActionID, Status: x.Status, Message: x.Message}
			}
		}
	}
	out := apply.HostResult{Host: h.Host, Provider: h.Provider, Policy: h.Policy, StartedAt: started, FinishedAt: time.Now().UTC()}
	if !r.StartedAt.IsZero() {
		out.StartedAt, out.FinishedAt = r.StartedAt, r.FinishedAt
	}
	for _, a := range h.Actions {
		x, ok := byID[a.ID]
		if !ok {
			x = model.ActionResult{ActionID: a.ID, Status: model.StatusFailed, Message: "the agent reported no result for this action"}
		}
		out.Results = append(out.Results, x)
	}
	if r.Failed && !out.Failed() {
		out.Err = fmt.Errorf("agent %s reports the apply failed", h.Host)
	}
	return out
}

// failAll is h with every action failed for err.
func failAll(h model.HostPlan, started time.Time, err error) apply.HostResult {
	r := apply.HostResult{Host: h.Host, Provider: h.Provider, Policy: h.Policy, StartedAt: started, FinishedAt: time.Now().UTC(), Err: err}
	for _, a := range h.Actions {
		r.Results = append(r.Results, model.ActionResult{ActionID: a.ID, Status: model.StatusFailed, Message: err.Error()})
	}
	return r
}

func jobID(host string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, time.Now().UnixNano(), hex.EncodeToString(b))
}

// FailHost is h with every action failed for err, as apply reports a host
// the controller could not reach.
func FailHost(h model.HostPlan, err error) apply.HostResult { return failAll(h, time.Now().UTC(), err) }
