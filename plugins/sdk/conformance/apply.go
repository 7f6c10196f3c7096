package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
)

// applyResult is what one Apply call returned.
type applyResult struct {
	results  []sdk.ActionResult
	err      error
	progress []sdk.Progress
}

// apply runs one Apply call with the expected transaction, collecting
// progress events; onProgress, when set, sees each event as it arrives.
func apply(ctx context.Context, p *launched, tc *TestCase, actions []sdk.Action, expected []sdk.Change, runner sdk.Runner, onProgress func(sdk.Progress)) applyResult {
	var (
		mu sync.Mutex
		r  applyResult
	)
	results, err := p.Apply(ctx, tc.Host, actions, expected, runner, func(pr sdk.Progress) {
		mu.Lock()
		r.progress = append(r.progress, pr)
		mu.Unlock()
		if onProgress != nil {
			onProgress(pr)
		}
	})
	mu.Lock()
	defer mu.Unlock()
	r.results, r.err = results, err
	return r
}

// shapeProblems checks what every Apply must return: one result per
// action in order, valid statuses, a message on every result that is not
// a success, progress only about the requested actions.
func (r applyResult) shapeProblems(actions []sdk.Action) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if len(r.results) != len(actions) {
		add("%d results for %d actions; Apply must return exactly one per action", len(r.results), len(actions))
	}
	ids := make([]string, len(actions))
	for i, a := range actions {
		ids[i] = a.ID
	}
	for i, res := range r.results {
		if i < len(actions) && res.ActionID != actions[i].ID {
			add("result %d is for action %q; want %q (results in action order)", i, res.ActionID, actions[i].ID)
		}
		if !validStatus(res.Status) {
			add("action %q: status %q is not succeeded, failed, skipped or interrupted", res.ActionID, res.Status)
		}
		if res.Status != sdk.StatusSucceeded && strings.TrimSpace(res.Message) == "" {
			add("action %q is %s without a message saying why", res.ActionID, res.Status)
		}
	}
	for _, pr := range r.progress {
		if pr.ActionID != "" && !slices.Contains(ids, pr.ActionID) {
			add("a progress event names action %q, which was not requested (message %q)", pr.ActionID, pr.Message)
		}
	}
	return out
}

// checkApplySteps runs the apply steps in order, each a subtest.
func checkApplySteps(t tb, p *launched, tc *TestCase, runner sdk.Runner) {
	t.Helper()
	for _, step := range tc.Apply {
		t.Run(step.Name, func(t tb) { checkApplyStep(t, p, tc, step, runner) })
		if p.Exited() {
			return
		}
	}
}

// checkApplyStep applies step's actions through runner and compares
// statuses. A provider that resolves is asked for the transaction first
// and gets it as the expected one, as tend sends it.
func checkApplyStep(t tb, p *launched, tc *TestCase, step ApplyStep, runner sdk.Runner) {
	t.Helper()
	expected, _, err := resolve(p, tc, step.Actions, runner)
	if err != nil {
		t.Logf("Resolve of the step's actions failed, so it is applied without an expected transaction: %v", err)
	}
	ctx, cancel := withTimeout()
	defer cancel()
	r := apply(ctx, p, tc, step.Actions, expected, runner, nil)
	reportMisses(t, runner)
	for _, problem := range r.shapeProblems(step.Actions) {
		t.Errorf("%s", problem)
	}
	for _, res := range r.results {
		want := step.Want[res.ActionID]
		if want != "" && res.Status != want {
			msg := fmt.Sprintf("action %q: status %s, want %s", res.ActionID, res.Status, want)
			if res.Message != "" {
				msg += " (message: " + res.Message + ")"
			}
			if r.err != nil {
				msg += fmt.Sprintf(" (Apply returned the error: %v)", r.err)
			}
			t.Errorf("%s", msg)
		}
	}
}

// checkCancel applies the first step's actions from a fresh replay and
// cancels the context at the first progress event (or, for a provider
// that reports none, at its first command). From then on every command
// fails as cancelled. Apply must return within 10s; a success is accepted
// only if some command completed before the cancellation.
func checkCancel(t tb, p *launched, tc *TestCase) {
	t.Helper()
	if len(tc.Apply) == 0 {
		t.Logf("no apply steps: cancellation not checked")
		return
	}
	actions := tc.Apply[0].Actions
	for _, at := range []string{"progress", "command"} {
		rp, err := tc.replay()
		if err != nil {
			t.Fatalf("%v", err)
		}
		g := newCancelRunner(rp, at == "command")
		r, finished := g.run(p, tc, actions)
		if !finished {
			t.Fatalf("Apply did not return within 10s of its context being cancelled (at the first %s); a provider must honour ctx", at)
		}
		if !g.triggered() {
			if at == "progress" {
				continue // no progress event: cancel at the first command instead
			}
			t.Logf("the provider ran no command and reported no progress: cancellation not checked")
			return
		}
		for _, problem := range r.shapeProblems(actions) {
			t.Errorf("cancelled at the first %s: %s", at, problem)
		}
		if g.completed() == 0 {
			for _, res := range r.results {
				if res.Status == sdk.StatusSucceeded {
					t.Errorf("cancelled at the first %s, before any command completed, yet action %q is reported succeeded", at, res.ActionID)
				}
			}
		}
		var statuses []string
		for _, res := range r.results {
			statuses = append(statuses, res.ActionID+"="+string(res.Status))
		}
		t.Logf("cancelled at the first %s, after %d completed commands: %s", at, g.completed(), strings.Join(statuses, ", "))
		if checkAlive(t, p, "a cancelled Apply") {
			checkScanAfterCancel(t, p, tc)
		}
		return
	}
}

// checkScanAfterCancel scans from a fresh replay: a cancelled Apply must
// leave the provider able to work.
func checkScanAfterCancel(t tb, p *launched, tc *TestCase) {
	t.Helper()
	rp, err := tc.replay()
	if err != nil {
		t.Fatalf("%v", err)
	}
	ctx, cancel := withTimeout()
	defer cancel()
	if _, _, err := p.Scan(ctx, tc.Host, tc.Pins, rp); err != nil {
		if p.Exited() {
			t.Errorf("the provider process exited after a cancelled Apply: %v", err)
			return
		}
		t.Errorf("after a cancelled Apply, a scan fails: %v", err)
	}
}

// cancelRunner answers from a replay until it is triggered, then cancels
// the Apply's context and fails every command as cancelled.
type cancelRunner struct {
	inner     sdk.Runner
	onCommand bool // trigger at the first command instead of the first progress event

	ctx       context.Context
	cancel    context.CancelFunc
	once      sync.Once
	fired     chan struct{}
	succeeded atomic.Int64
}

func newCancelRunner(inner sdk.Runner, onCommand bool) *cancelRunner {
	ctx, cancel := context.WithCancel(context.Background())
	return &cancelRunner{inner: inner, onCommand: onCommand, ctx: ctx, cancel: cancel, fired: make(chan struct{})}
}

func (g *cancelRunner) trigger() {
	g.once.Do(func() {
		g.cancel()
		close(g.fired)
	})
}

func (g *cancelRunner) triggered() bool {
	select {
	case <-g.fired:
		return true
	default:
		return false
	}
}

// completed returns how many commands completed before the cancellation.
func (g *cancelRunner) completed() int64 { return g.succeeded.Load() }

func (g *cancelRunner) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	if g.onCommand {
		g.trigger()
	}
	if g.triggered() {
		return sdk.Result{}, fmt.Errorf("conformance: %s: %w", c, context.Canceled)
	}
	res, err := g.inner.Run(ctx, c)
	if err == nil {
		g.succeeded.Add(1)
	}
	return res, err
}

// run applies actions with the cancellation armed; finished is false when
// Apply did not return within 10s of the cancellation (or 60s in all).
func (g *cancelRunner) run(p *launched, tc *TestCase, actions []sdk.Action) (applyResult, bool) {
	defer g.cancel()
	done := make(chan applyResult, 1)
	go func() {
		done <- apply(g.ctx, p, tc, actions, nil, g, func(sdk.Progress) { g.trigger() })
	}()
	select {
	case r := <-done:
		return r, true
	case <-g.fired:
	case <-time.After(rpcTimeout):
		return applyResult{}, false
	}
	select {
	case r := <-done:
		return r, true
	case <-time.After(10 * time.Second):
		return applyResult{}, false
	}
}

// checkApplyErrors applies the first step's actions with every command
// failing: no action may be reported succeeded, and the provider survives.
func checkApplyErrors(t tb, p *launched, tc *TestCase) {
	t.Helper()
	if len(tc.Apply) == 0 {
		t.Logf("no apply steps: apply errors not checked")
		return
	}
	actions := tc.Apply[0].Actions
	ctx, cancel := withTimeout()
	defer cancel()
	r := apply(ctx, p, tc, actions, nil, failingRunner{}, nil)
	if !checkAlive(t, p, "an Apply whose every command failed") {
		return
	}
	for _, problem := range r.shapeProblems(actions) {
		t.Errorf("%s", problem)
	}
	for _, res := range r.results {
		if res.Status == sdk.StatusSucceeded {
			t.Errorf("every command failed, yet action %q is reported succeeded; check every command's error and exit status (sdk.Check)", res.ActionID)
		}
	}
}
