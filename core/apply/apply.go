package apply

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/session"
	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/sdk"
)

// Options tune an apply.
type Options struct {
	// Now is when the apply runs, to judge windows (default time.Now()).
	Now time.Time
	// Progress, if set, receives events as hosts start, progress and finish.
	Progress func(Event)
	// Journal, if set, records each host's intent before its provider is
	// asked to act, and the results after. A host whose intent cannot be
	// recorded is not touched.
	Journal Journal
	// HTTPClient makes HTTP health checks (default http.DefaultClient).
	HTTPClient *http.Client
	// RebootTimeout bounds the wait for a host to come back from a reboot
	// action (default 15m); RebootPoll is the interval between attempts to
	// reach it (default 5s).
	RebootTimeout, RebootPoll time.Duration
	// Stop, when closed, starts no more hosts: those running finish and the
	// rest are skipped (graceful shutdown).
	Stop <-chan struct{}
	// Agents, if set, applies hosts whose transport is "agent" (through
	// the controller's NATS connection, core/fleet) in place of a
	// provider; max_parallel, max_failures and rings stay here.
	Agents Agents
}

// Agents applies one host that runs tend agent: it hands h to the host's
// agent and returns what the agent did. ring is the index of h's ring in
// the policy's rollout, parallel the policy's max_parallel.
type Agents interface {
	Run(ctx context.Context, h model.HostPlan, pol *config.Policy, ring, parallel int) HostResult
}

// Journal records what an apply is about to do and what it did, so a crash
// in between is noticed on restart (see core/journal).
type Journal interface {
	// Begin records, durably, that h's actions are about to run.
	Begin(h model.HostPlan) (seq uint64, err error)
	// Finish records the host's results.
	Finish(seq uint64, r *HostResult) error
}

// Event is one thing that happened during an apply.
type Event struct {
	Host, Provider string
	Message        string
	// Done is set when the host finished.
	Done *HostResult
}

// HostResult is what happened on one host and provider.
type HostResult struct {
	Host, Provider, Policy string
	StartedAt, FinishedAt  time.Time
	Results                []model.ActionResult
	// Err is a failure of the host as a whole (provider would not start,
	// transport unavailable, provider crashed, no return from a reboot).
	Err error
	// Health is the policy's failed health check after the actions
	// succeeded; the host counts as failed. The changes stay unless the
	// policy asks for rollback.
	Health error
	// Rollback, when the policy asks for it and Health is set, is what
	// tend did to return the changed packages to their previous versions;
	// the results of the changes it undid are rolled_back. nil when there
	// was no rollback.
	Rollback *Rollback
	// Hooks are the policy's hooks that ran on the host, in order; Hook is
	// the one that failed (the host counts as failed), nil when none did.
	Hooks []HookResult
	Hook  *HookError
}

// Failed reports whether anything on the host failed.
func (r *HostResult) Failed() bool {
	if r.Err != nil || r.Health != nil || r.Hook != nil {
		return true
	}
	for _, a := range r.Results {
		if a.Status == model.StatusFailed || a.Status == model.StatusInterrupted {
			return true
		}
	}
	return false
}

// Report collects every host's result.
type Report struct {
	StartedAt, FinishedAt time.Time
	Hosts                 []HostResult
	// Halted names policies whose rollout stopped at max_failures.
	Halted []string
}

// Failed counts hosts with a failure.
func (r *Report) Failed() int {
	n := 0
	for i := range r.Hosts {
		if r.Hosts[i].Failed() {
			n++
		}
	}
	return n
}

// Apply carries out a plan's actions: policy by policy, ring by ring, at
// most max_parallel hosts at once, halting a policy's rollout once more
// than max_failures hosts failed. A host does not start while the policy's
// windows are all closed, a freeze holds it or a suspension does (see
// config.Holds), whatever the plan said. The policy's hooks run on each
// host it starts: pre hooks before anything changes (one failing leaves
// the host untouched and failed), pre_reboot hooks between the package
// actions and the reboot, post hooks after them (one failing fails the
// host); each counts toward max_failures. Hosts without actions are not touched;
// those whose transaction the plan blocked fail without being touched. A
// host's resolved transaction goes to its provider, which installs nothing
// when its own resolution then differs.
func Apply(ctx context.Context, cfg *config.Config, ps *session.Providers, plan *model.Plan, o Options) *Report {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	rep := &Report{StartedAt: o.Now.UTC()}
	byPolicy := map[string][]model.HostPlan{}
	for _, h := range plan.Hosts {
		if len(h.Actions) > 0 {
			byPolicy[h.Policy] = append(byPolicy[h.Policy], h)
		}
	}
	names := slices.Sorted(maps.Keys(byPolicy))
	var mu sync.Mutex
	record := func(r HostResult) {
		mu.Lock()
		rep.Hosts = append(rep.Hosts, r)
		mu.Unlock()
		if o.Progress != nil {
			o.Progress(Event{Host: r.Host, Provider: r.Provider, Done: &r})
		}
	}
	for _, r := range blockedHosts(plan, rep.StartedAt) {
		record(r)
	}
	for _, name := range names {
		if halted := applyPolicy(ctx, cfg, ps, cfg.Policies[name], byPolicy[name], o, record); halted {
			rep.Halted = append(rep.Halted, name)
		}
	}
	sort.Slice(rep.Hosts, func(i, j int) bool {
		if rep.Hosts[i].Host != rep.Hosts[j].Host {
			return rep.Hosts[i].Host < rep.Hosts[j].Host
		}
		return rep.Hosts[i].Provider < rep.Hosts[j].Provider
	})
	rep.FinishedAt = time.Now().UTC()
	return rep
}

// skipAll records every action of h with one status and message.
func skipAll(h model.HostPlan, status model.Status, msg string, now time.Time) HostResult {
	r := HostResult{Host: h.Host, Provider: h.Provider, Policy: h.Policy, StartedAt: now, FinishedAt: now}
	for _, a := range h.Actions {
		r.Results = append(r.Results, model.ActionResult{ActionID: a.ID, Status: status, Message: msg})
	}
	return r
}

// applyPolicy applies one policy's hosts and reports whether its rollout
// halted.
func applyPolicy(ctx context.Context, cfg *config.Config, ps *session.Providers, p *config.Policy, hosts []model.HostPlan, o Options, record func(HostResult)) bool {
	if p == nil {
		for _, h := range hosts {
			record(skipAll(h, model.StatusSkipped, fmt.Sprintf("policy %q is no longer in the configuration", h.Policy), o.Now))
		}
		return false
	}
	// held says why the policy may not start work on a host now (its
	// windows, freezes, suspensions) at the apply's clock: o.Now advanced
	// by the time the apply has taken, so a long rollout stops starting
	// hosts at a window's cutoff.
	start := time.Now()
	held := func(h model.HostPlan) string {
		t := o.Now.Add(time.Since(start))
		if AllFastLane(h) {
			// The policy's fast lane skips its windows, not freezes
			// or suspensions.
			return cfg.HoldsBesidesWindows(p, h.Host, t)
		}
		return cfg.Holds(p, h.Host, t)
	}
	ringIndex := map[string]int{}
	if p.Rollout != nil {
		for i, r := range p.Rollout.Rings {
			ringIndex[r.Name] = i
		}
	}
	sort.SliceStable(hosts, func(i, j int) bool { return ringIndex[hosts[i].Ring] < ringIndex[hosts[j].Ring] })

	parallel, maxFailures := len(hosts), len(hosts)
	if p.Rollout != nil {
		parallel = max(p.Rollout.MaxParallel.Of(len(p.Hosts)), 1)
		if p.Rollout.MaxFailures.Set {
			maxFailures = p.Rollout.MaxFailures.Of(len(p.Hosts))
		}
	}
	var (
		mu       sync.Mutex
		failures int
		wg       sync.WaitGroup
	)
	halted := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return failures > maxFailures
	}
	sem := make(chan struct{}, parallel)
	for i, h := range hosts {
		// Rings run one after the other: wait for the previous ring.
		if i > 0 && hosts[i-1].Ring != h.Ring {
			wg.Wait()
		}
		sem <- struct{}{}
		switch {
		case ctx.Err() != nil:
			<-sem
			record(skipAll(h, model.StatusSkipped, "cancelled before this host started", o.Now))
			continue
		case stopped(o.Stop):
			<-sem
			record(skipAll(h, model.StatusSkipped, "tend is shutting down; not started", o.Now))
			continue
		case halted():
			<-sem
			record(skipAll(h, model.StatusSkipped, fmt.Sprintf("rollout of policy %q halted: more than %d %s failed", p.Name, maxFailures, words.Plural(maxFailures, "host", "hosts")), o.Now))
			continue
		}
		if why := held(h); why != "" {
			<-sem
			record(skipAll(h, model.StatusSkipped, "not started: "+why, o.Now))
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var r HostResult
			if host := cfg.Hosts[h.Host]; o.Agents != nil && host != nil && host.Transport == config.TransportAgent {
				r = o.Agents.Run(ctx, h, p, ringIndex[h.Ring], parallel)
			} else {
				r = applyHost(ctx, cfg, ps, h, o)
			}
			if r.Failed() {
				mu.Lock()
				failures++
				mu.Unlock()
			}
			record(r)
		}()
	}
	wg.Wait()
	return halted()
}

func applyHost(ctx context.Context, cfg *config.Config, ps *session.Providers, h model.HostPlan, o Options) HostResult {
	r := HostResult{Host: h.Host, Provider: h.Provider, Policy: h.Policy, StartedAt: time.Now().UTC()}
	fail := func(err error) HostResult {
		failed := skipAll(h, model.StatusFailed, err.Error(), r.StartedAt)
		failed.Err = err
		failed.FinishedAt = time.Now().UTC()
		return failed
	}
	host, ok := cfg.Hosts[h.Host]
	if !ok {
		return fail(fmt.Errorf("host %q is no longer in the configuration", h.Host))
	}
	runner, err := ps.Runner(host)
	if err != nil {
		return fail(err)
	}
	p, err := ps.Get(ctx, h.Provider)
	if err != nil {
		return fail(err)
	}
	progress := func(pr sdk.Progress) {
		if o.Progress != nil {
			o.Progress(Event{Host: h.Host, Provider: h.Provider, Message: pr.Message})
		}
	}
	pol := cfg.Policies[h.Policy]
	if pol != nil {
		if r.Hooks, r.Hook = runHooks(ctx, pol.HooksOf(config.HookPre), runner, progress); r.Hook != nil {
			skipped := skipAll(h, model.StatusSkipped, "not started: "+r.Hook.Error(), r.StartedAt)
			skipped.Hooks, skipped.Hook, skipped.FinishedAt = r.Hooks, r.Hook, time.Now().UTC()
			return skipped
		}
	}
	reboots := slices.ContainsFunc(h.Actions, func(a model.Action) bool { return a.Type == model.ActionReboot })
	before := ""
	if reboots {
		before = bootID(ctx, runner)
	}
	var seq uint64
	if o.Journal != nil {
		if seq, err = o.Journal.Begin(h); err != nil {
			failed := fail(fmt.Errorf("not started: the apply journal could not record the intent: %w", err))
			failed.Hooks = r.Hooks
			return failed
		}
	}
	r.Results, r.Err = applyActions(ctx, p, h, pol, runner, &r, progress)
	if r.Err == nil && rebooted(h.Actions, r.Results) {
		progress(sdk.Progress{Message: "waiting for the host to come back from its reboot"})
		if err := waitForReboot(ctx, runner, before, cmp.Or(o.RebootTimeout, 15*time.Minute), cmp.Or(o.RebootPoll, 5*time.Second)); err != nil {
			r.Err = fmt.Errorf("reboot: %w", err)
		}
	}
	if !r.Failed() && ctx.Err() == nil && pol != nil {
		var post []HookResult
		post, r.Hook = runHooks(ctx, pol.HooksOf(config.HookPost), runner, progress)
		r.Hooks = append(r.Hooks, post...)
	}
	if !r.Failed() && ctx.Err() == nil {
		if pol != nil && len(pol.Health) > 0 {
			progress(sdk.Progress{Message: "running health checks"})
			r.Health = checkHealth(ctx, pol.Health, cfg.Hosts[h.Host], runner, cmp.Or(o.HTTPClient, http.DefaultClient))
			if r.Health != nil && pol.Rollback && ctx.Err() == nil {
				r.Rollback = rollBack(ctx, p, h, cfg.Hosts[h.Host], &r, runner, pol, o, progress)
			}
		}
	}
	r.FinishedAt = time.Now().UTC()
	if o.Journal != nil {
		if err := o.Journal.Finish(seq, &r); err != nil && r.Err == nil {
			r.Err = fmt.Errorf("the apply journal could not record the results: %w", err)
		}
	}
	return r
}

// applyActions has the provider carry out h's actions. With pre_reboot
// hooks and a reboot among the actions, the provider is asked twice: the
// package actions first, then, once they all succeeded and the hooks did
// too, the reboot. A reboot that does not happen is skipped, with why.
func applyActions(ctx context.Context, p *loader.Provider, h model.HostPlan, pol *config.Policy, runner sdk.Runner, r *HostResult, progress func(sdk.Progress)) ([]model.ActionResult, error) {
	actions := model.ProviderActions(h.Actions)
	var hooks []*config.Hook
	if pol != nil {
		hooks = pol.HooksOf(config.HookPreReboot)
	}
	var changes, reboots []model.ProviderAction
	for _, a := range actions {
		if a.Type == model.ActionReboot && len(hooks) > 0 {
			reboots = append(reboots, a)
		} else {
			changes = append(changes, a)
		}
	}
	var results []model.ActionResult
	if len(changes) > 0 {
		res, err := p.Apply(ctx, h.Host, changes, expected(h), runner, progress)
		if err != nil || len(reboots) == 0 {
			return res, err
		}
		results = res
	}
	skip := func(why string) ([]model.ActionResult, error) {
		for _, a := range reboots {
			results = append(results, model.ActionResult{ActionID: a.ID, Status: model.StatusSkipped, Message: why})
		}
		return results, nil
	}
	for _, res := range results {
		if res.Status != model.StatusSucceeded {
			return skip("not rebooted: an earlier action did not succeed")
		}
	}
	var ran []HookResult
	ran, r.Hook = runHooks(ctx, hooks, runner, progress)
	r.Hooks = append(r.Hooks, ran...)
	if r.Hook != nil {
		return skip("not rebooted: " + r.Hook.Error())
	}
	res, err := p.Apply(ctx, h.Host, reboots, nil, runner, progress)
	return append(results, res...), err
}

func stopped(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// rebooted reports whether a reboot action of actions succeeded.
func rebooted(actions []model.Action, results []model.ActionResult) bool {
	for _, a := range actions {
		if a.Type != model.ActionReboot {
			continue
		}
		for _, res := range results {
			if res.ActionID == a.ID && res.Status == model.StatusSucceeded {
				return true
			}
		}
	}
	return false
}

// AllFastLane reports whether every package action of h came through its
// policy's fast lane (a reboot goes with them), so it may run while the
// window is closed.
func AllFastLane(h model.HostPlan) bool {
	n := 0
	for _, a := range h.Actions {
		switch {
		case a.Type == model.ActionReboot:
		case a.FastLane == "":
			return false
		default:
			n++
		}
	}
	return n > 0
}
