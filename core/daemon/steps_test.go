package daemon

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/model"
)

// TestRunSteps: a stall is recorded and the steps go on, a wait is only
// logged, and anything else stops them as a StepError naming the step.
func TestRunSteps(t *testing.T) {
	log := logrus.New()
	log.SetOutput(new(syncWriter))
	d := &Daemon{o: Options{Now: time.Now}, log: log}
	var ran []string
	stall := &StallError{Reason: StateInvalid, Err: errors.New("configuration has 1 error, not applied")}
	cause := errors.New("remote unreachable")
	mk := func(name string, err error) step {
		return step{name, func(context.Context, *pass) error { ran = append(ran, name); return err }}
	}
	p := &pass{out: &Outcome{}}
	err := d.runSteps(context.Background(), p, []step{
		mk("a", nil), mk("b", stall), mk("c", &WaitError{Reason: "nothing_due"}),
		mk("d", &RetryError{Reason: "push_failed", Err: cause}), mk("e", nil),
	})
	if d := cmp.Diff([]string{"a", "b", "c", "d"}, ran); d != "" {
		t.Errorf("steps run (-want +got):\n%s", d)
	}
	if p.stall != stall {
		t.Errorf("stall = %v, want the one step b returned", p.stall)
	}
	var se *StepError
	if !errors.As(err, &se) || se.Step != "d" || !errors.Is(err, cause) || err.Error() != "d: remote unreachable" {
		t.Fatalf("err = %v, want a StepError of d wrapping the cause", err)
	}
}

func TestReconcileResult(t *testing.T) {
	for _, tt := range []struct {
		stall *StallError
		err   error
		want  string
	}{
		{nil, nil, metrics.ReconcileOK},
		{&StallError{Reason: StateInvalid}, nil, metrics.ReconcileConfigError},
		{&StallError{Reason: StateUnverified}, nil, metrics.ReconcileUnverified},
		{&StallError{Reason: StateInvalid}, errors.New("x"), metrics.ReconcileError},
	} {
		if got := reconcileResult(tt.stall, tt.err); got != tt.want {
			t.Errorf("reconcileResult(%v, %v) = %s, want %s", tt.stall, tt.err, got, tt.want)
		}
	}
}

func TestIdle(t *testing.T) {
	due := time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC)
	later := due.Add(time.Hour)
	act := model.HostPlan{Host: "a", Actions: []model.Action{{Package: "openssl"}}}
	waiting := model.HostPlan{Host: "b", Deferred: []model.Deferred{{Package: "curl", Until: &later}, {Package: "zlib1g", Until: &due}, {Package: "x"}}}
	none := model.HostPlan{Host: "a"}
	plan := func(h ...model.HostPlan) *model.Plan { return &model.Plan{Hosts: h} }
	if w := idle(plan(act), plan(act), plan(act)); w != nil {
		t.Errorf("idle with an action due = %v", w)
	}
	for _, tt := range []struct {
		plan, unhalted, todo *model.Plan
		want                 WaitError
	}{
		{plan(none, waiting), plan(none, waiting), plan(none, waiting), WaitError{Reason: "nothing_due", Until: due}},
		{plan(act), plan(none), plan(none), WaitError{Reason: "rollout_halted"}},
		{plan(act), plan(act), plan(none), WaitError{Reason: "hosts_recovered"}},
	} {
		w := idle(tt.plan, tt.unhalted, tt.todo)
		if w == nil || *w != tt.want {
			t.Errorf("idle = %v, want %v", w, &tt.want)
		}
	}
}
