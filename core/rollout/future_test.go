package rollout

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

// TestFirstSeenInTheFuture: a first-seen time after the reconcile's now (a
// clock that jumped forward, then back) is recorded as now, so the approval
// delay elapses instead of waiting out the jump; an update listed twice is
// recorded once.
func TestFirstSeenInTheFuture(t *testing.T) {
	future := t0.AddDate(5, 0, 0)
	inv := map[string]*model.Snapshot{"a": {Host: "a", ScannedAt: t0, Providers: map[string]*model.ProviderInventory{
		"apt": {Available: []model.Update{{Name: "curl", To: "2"}, {Name: "curl", To: "2"}, {Name: "zlib", To: "3"}}},
	}}}
	prev := &State{FirstSeen: []Seen{{Host: "a", Provider: "apt", Package: "curl", To: "2", At: future}}}
	now := t0.Add(time.Hour)
	s := Next(prev, Input{Policy: "sec", After: plan(host("a", "", nil, nil)), Inventory: inv, Now: now})
	want := []Seen{
		{Host: "a", Provider: "apt", Package: "curl", To: "2", At: now},
		{Host: "a", Provider: "apt", Package: "zlib", To: "3", At: t0},
	}
	if d := cmp.Diff(want, s.FirstSeen); d != "" {
		t.Fatalf("first_seen (-want +got):\n%s", d)
	}
	// A scan stamped in the future is recorded as now as well.
	inv["a"].ScannedAt = future
	s = Next(nil, Input{Policy: "sec", After: plan(host("a", "", nil, nil)), Inventory: inv, Now: now})
	for _, f := range s.FirstSeen {
		if !f.At.Equal(now) {
			t.Errorf("first_seen of %s = %v, want now (%v)", f.Package, f.At, now)
		}
	}
}
