package rollout

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

func TestNextAll(t *testing.T) {
	cfg := &config.Config{Policies: map[string]*config.Policy{
		"sec": {Name: "sec", Rollout: &config.Rollout{
			Rings:       []*config.Ring{{Name: "canary"}, {Name: "broad"}},
			MaxFailures: config.Limit{Count: 1, Set: true},
		}},
		"plain": {Name: "plain"},
		"older": {Name: "older", Rollout: &config.Rollout{Rings: []*config.Ring{{Name: "all"}}}},
		"same":  {Name: "same", Rollout: &config.Rollout{Rings: []*config.Ring{{Name: "all"}}}},
	}}
	p := plan(host("a", "canary", []string{"openssl"}, nil), host("b", "broad", nil, map[string]string{"openssl": model.DeferRing}))
	prev := map[string]*State{
		"older": {Policy: "older", Halted: &Halt{ConfigCommit: "c0", Reason: "earlier"}},
		"same":  {Policy: "same", Halted: &Halt{ConfigCommit: "c1", Reason: "earlier", FailedHosts: []string{"x"}}},
	}
	states, halted := NextAll(prev, Pass{Config: cfg, ConfigCommit: "c1", Before: p, After: p,
		Halted: map[string][]string{"sec": {"a"}}, Now: t0})

	if d := cmp.Diff([]string{"same", "sec"}, halted); d != "" {
		t.Errorf("halted (-want +got):\n%s", d)
	}
	if len(states) != 4 {
		t.Fatalf("states for %d policies, want 4", len(states))
	}
	sec := states["sec"]
	want := &Halt{At: t0, ConfigCommit: "c1", Reason: "more than max_failures (1) hosts failed", FailedHosts: []string{"a"}}
	if d := cmp.Diff(want, sec.Halted); d != "" {
		t.Errorf("sec halt (-want +got):\n%s", d)
	}
	if len(sec.Rings) != 2 || sec.Rings[0].Name != "canary" || sec.Rings[1].Name != "broad" {
		t.Errorf("sec rings = %+v, want canary then broad", sec.Rings)
	}
	if s := states["plain"]; s.Halted != nil || len(s.Rings) != 0 {
		t.Errorf("plain = %+v: a policy without rollout has no rings and never halts", s)
	}
	if s := states["older"]; s.Halted != nil {
		t.Errorf("older stays halted after a new commit: %+v", s.Halted)
	}
	if s := states["same"]; s.Halted != prev["same"].Halted {
		t.Errorf("same: halt %+v, want the earlier one kept for its commit", s.Halted)
	}
}

func TestNextAllHaltedWithoutFailedHosts(t *testing.T) {
	cfg := &config.Config{Policies: map[string]*config.Policy{"sec": {Name: "sec"}}}
	states, halted := NextAll(nil, Pass{Config: cfg, ConfigCommit: "c1", Halted: map[string][]string{"sec": nil}, Now: t0})
	if len(halted) != 1 || states["sec"].Halted == nil || states["sec"].Halted.FailedHosts == nil {
		t.Fatalf("halted %v, state %+v: want sec halted with an empty (not null) list of failed hosts", halted, states["sec"].Halted)
	}
}
