package rollout

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func host(name, ring string, actions []string, deferred map[string]string) model.HostPlan {
	h := model.HostPlan{Host: name, Provider: "apt", Policy: "sec", Ring: ring}
	for _, p := range actions {
		h.Actions = append(h.Actions, model.Action{Type: model.ActionUpgrade, Package: p, To: "2"})
	}
	for p, cause := range deferred {
		h.Deferred = append(h.Deferred, model.Deferred{Package: p, To: "2", Cause: cause})
	}
	return h
}

func plan(hosts ...model.HostPlan) *model.Plan { return &model.Plan{Hosts: hosts} }

func TestNextRingProgress(t *testing.T) {
	rings := []string{"canary", "broad"}
	// Reconcile 1: canary applies openssl; broad waits for canary.
	before := plan(host("a", "canary", []string{"openssl"}, nil),
		host("b", "broad", nil, map[string]string{"openssl": model.DeferRing}),
		host("c", "broad", nil, map[string]string{"curl": model.DeferDelay}))
	after := plan(host("a", "canary", nil, nil),
		host("b", "broad", nil, map[string]string{"openssl": model.DeferRing}),
		host("c", "broad", nil, map[string]string{"curl": model.DeferDelay}))
	s1 := Next(nil, Input{Policy: "sec", ConfigCommit: "c1", Rings: rings, Before: before, After: after, Now: t0})
	done := t0
	want := []Ring{
		{Name: "canary", Hosts: []string{"a"}, Updates: []Update{{Package: "openssl", To: "2", Pending: 0, DoneAt: &done}}},
		{Name: "broad", Hosts: []string{"b", "c"}, Updates: []Update{{Package: "openssl", To: "2", Pending: 1}}},
	}
	if d := cmp.Diff(want, s1.Rings); d != "" {
		t.Fatalf("rings (-want +got):\n%s", d)
	}
	h := History(map[string]*State{"sec": s1})
	if got := h.RingDone[planner.RingKey{Policy: "sec", Ring: "canary", Package: "openssl", To: "2"}]; !got.Equal(t0) {
		t.Fatalf("RingDone = %v, want %v", got, t0)
	}

	// Reconcile 2, a day later, nothing new: canary keeps its done time.
	s2 := Next(s1, Input{Policy: "sec", ConfigCommit: "c1", Rings: rings, Before: after, After: after, Now: t0.Add(24 * time.Hour)})
	if d := cmp.Diff(s1.Rings, s2.Rings); d != "" {
		t.Fatalf("idle reconcile changed rings:\n%s", d)
	}

	// Much later, broad is done too and the retention passed: forgotten.
	idle := plan(host("a", "canary", nil, nil), host("b", "broad", nil, nil))
	s3 := Next(s2, Input{Policy: "sec", ConfigCommit: "c1", Rings: rings, Before: idle, After: idle, Now: t0.Add(48 * time.Hour)})
	if s3.Rings[1].Updates[0].DoneAt == nil {
		t.Fatal("broad not done")
	}
	s4 := Next(s3, Input{Policy: "sec", ConfigCommit: "c1", Rings: rings, Before: idle, After: idle, Now: t0.Add(48*time.Hour + Retention)})
	if n := len(s4.Rings[0].Updates) + len(s4.Rings[1].Updates); n != 0 {
		t.Fatalf("%d updates kept after retention", n)
	}
}

func TestNextHalt(t *testing.T) {
	s1 := Next(nil, Input{Policy: "sec", ConfigCommit: "c1", Halted: true, FailedHosts: []string{"a", "b"}, MaxFailures: "1", Now: t0})
	if !s1.HaltedNow("c1") || s1.Halted.Reason != "more than max_failures (1) hosts failed" {
		t.Fatalf("halt = %+v", s1.Halted)
	}
	if s2 := Next(s1, Input{Policy: "sec", ConfigCommit: "c1", Now: t0.Add(time.Hour)}); !s2.HaltedNow("c1") || !s2.Halted.At.Equal(t0) {
		t.Fatalf("halt not kept for the same commit: %+v", s2.Halted)
	}
	if s3 := Next(s1, Input{Policy: "sec", ConfigCommit: "c2", Now: t0.Add(time.Hour)}); s3.Halted != nil {
		t.Fatalf("a new commit did not lift the halt: %+v", s3.Halted)
	}
}

func TestFirstSeen(t *testing.T) {
	snap := func(at time.Time) map[string]*model.Snapshot {
		return map[string]*model.Snapshot{"a": {Host: "a", ScannedAt: at, Providers: map[string]*model.ProviderInventory{
			"apt": {Available: []model.Update{{Name: "curl", To: "2"}, {Name: "openssl", To: "2", ReleasedAt: t0}}},
		}}}
	}
	p := plan(host("a", "", nil, nil))
	s1 := Next(nil, Input{Policy: "sec", After: p, Inventory: snap(t0), Now: t0})
	s2 := Next(s1, Input{Policy: "sec", After: p, Inventory: snap(t0.Add(time.Hour)), Now: t0.Add(time.Hour)})
	want := []Seen{{Host: "a", Provider: "apt", Package: "curl", To: "2", At: t0}}
	if d := cmp.Diff(want, s2.FirstSeen); d != "" {
		t.Fatalf("first_seen (-want +got):\n%s", d)
	}
	h := History(map[string]*State{"sec": s2})
	if got := h.FirstSeen[planner.UpdateKey{Host: "a", Provider: "apt", Package: "curl", To: "2"}]; !got.Equal(t0) {
		t.Fatalf("FirstSeen = %v", got)
	}
	// Not scanned this time (the scan failed): kept as it was.
	if s3 := Next(s2, Input{Policy: "sec", After: p, Inventory: map[string]*model.Snapshot{}, Now: t0.Add(2 * time.Hour)}); !cmp.Equal(want, s3.FirstSeen) {
		t.Fatalf("a host without a scan lost its first_seen: %v", s3.FirstSeen)
	}
	// Installed (no longer offered): forgotten.
	installed := map[string]*model.Snapshot{"a": {Host: "a", Providers: map[string]*model.ProviderInventory{"apt": {}}}}
	if s3 := Next(s2, Input{Policy: "sec", After: p, Inventory: installed, Now: t0}); len(s3.FirstSeen) != 0 {
		t.Fatalf("kept %v", s3.FirstSeen)
	}
	// A host no policy targets any more: forgotten.
	if s3 := Next(s2, Input{Policy: "sec", After: plan(), Inventory: snap(t0), Now: t0}); len(s3.FirstSeen) != 0 {
		t.Fatalf("kept %v for a host the plan no longer has", s3.FirstSeen)
	}
}

// TestHistoryEarliest: policies that share a host and disagree on when an
// update was first seen give the earliest time.
func TestHistoryEarliest(t *testing.T) {
	seen := func(at time.Time) []Seen {
		return []Seen{{Host: "a", Provider: "apt", Package: "curl", To: "2", At: at}}
	}
	h := History(map[string]*State{"x": {FirstSeen: seen(t0.Add(time.Hour))}, "y": {FirstSeen: seen(t0)}, "z": {FirstSeen: seen(t0.Add(2 * time.Hour))}})
	if got := h.FirstSeen[planner.UpdateKey{Host: "a", Provider: "apt", Package: "curl", To: "2"}]; !got.Equal(t0) {
		t.Fatalf("FirstSeen = %v, want the earliest (%v)", got, t0)
	}
}

func TestEncodeParse(t *testing.T) {
	s := Next(nil, Input{Policy: "sec", ConfigCommit: "c1", Rings: []string{"canary"}, Now: t0})
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(s, back); d != "" {
		t.Fatalf("round trip (-want +got):\n%s", d)
	}
	if _, err := Parse([]byte(`{"format_version":"9"}`)); err == nil {
		t.Fatal("accepted format_version 9")
	}
}
