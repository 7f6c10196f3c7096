package planner

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// TestReuseSamePlan: a plan that takes, for the hosts whose inputs did not
// change, what an earlier plan gave them (Input.Reuse, as stored: through
// JSON) is the plan made afresh, when an earlier ring's host was rescanned
// (its newer scan moves the canary's soak for the later ring, which the
// planner must see and plan again) and a later ring's host changed too.
func TestReuseSamePlan(t *testing.T) {
	cfg, inv := fleet(t, 60)
	now := time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)
	kept := map[string]*Reused{}
	in := Input{Config: cfg, Inventory: inv, Now: now, InventorySource: "dir:snapshots",
		Planned: func(host string, r *Reused) {
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var back Reused
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			kept[host] = &back
		}}
	first, _ := Plan(in)
	canary, later := "", ""
	for _, hp := range first.Hosts {
		switch {
		case hp.Ring == "canary" && canary == "":
			canary = hp.Host
		case hp.Ring == "broad" && later == "":
			later = hp.Host
		}
	}
	if canary == "" || later == "" || len(kept) == 0 {
		t.Fatalf("canary %q, later %q, %d kept", canary, later, len(kept))
	}
	if _, ok := kept[canary]; ok {
		t.Errorf("canary host %s was offered for reuse: later rings read it", canary)
	}

	changed := map[string]bool{canary: true, later: true}
	inv2 := map[string]*model.Snapshot{}
	for h, s := range inv {
		inv2[h] = s
	}
	for h := range changed {
		s := *inv[h]
		s.ScannedAt = time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
		inv2[h] = &s
	}
	reused, fresh := 0, 0
	in2 := Input{Config: cfg, Inventory: inv2, Now: now, InventorySource: "dir:snapshots"}
	want, wantWarns := Plan(in2)
	in2.Reuse = func(host, policy string) *Reused {
		if changed[host] {
			return nil
		}
		return kept[host]
	}
	in2.Snapshots = func(host string) *model.Snapshot {
		if kept[host] != nil && !changed[host] {
			fresh++ // offered, but the earlier rings answer otherwise now
		}
		return inv2[host]
	}
	got, gotWarns := Plan(in2)
	got.Ungoverned, want.Ungoverned = nil, nil // Coverage's, with Snapshots
	for _, hp := range got.Hosts {
		if kept[hp.Host] != nil && !changed[hp.Host] {
			reused++
		}
	}
	reused -= fresh
	if a, b := mustJSON(t, got), mustJSON(t, want); a != b {
		t.Errorf("plan with reuse differs from the plan afresh")
	}
	if a, b := mustJSON(t, gotWarns), mustJSON(t, wantWarns); a != b {
		t.Errorf("warnings with reuse\n%s\nafresh\n%s", a, b)
	}
	if reused == 0 || fresh == 0 {
		t.Errorf("%d hosts reused, %d planned again for the canary's newer scan: want some of each", reused, fresh)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReusedValidUntil: a host's plan made afresh at any instant of the
// interval its Reused records, up to its last nanosecond, is the plan
// recorded; the interval ends at the next change the host's plan reads of
// the clock (here the weekend window's closing at the latest).
func TestReusedValidUntil(t *testing.T) {
	cfg, inv := fleet(t, 60)
	now := time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC) // Saturday, the weekend window open
	kept := map[string]*Reused{}
	Plan(Input{Config: cfg, Inventory: inv, Now: now, InventorySource: "dir:snapshots",
		Planned: func(host string, r *Reused) { kept[host] = r }})
	if len(kept) == 0 {
		t.Fatal("nothing kept")
	}
	closes := time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC) // 03:00 Berlin, the cutoff
	byInstant := map[time.Time][]string{}
	for host, r := range kept {
		if !r.EvaluatedAt.Equal(now) || !r.ValidAt(now) || r.ValidAt(now.Add(-time.Nanosecond)) {
			t.Fatalf("%s: evaluated at %v, valid until %v", host, r.EvaluatedAt, r.ValidUntil)
		}
		if r.ValidUntil == nil || !r.ValidUntil.After(now) {
			t.Fatalf("%s: valid until %v", host, r.ValidUntil)
		}
		if r.Plan.Policy == "prod_apt" && r.ValidUntil.After(closes) {
			t.Errorf("%s: valid until %v, after the window closes at %v", host, r.ValidUntil, closes)
		}
		if r.ValidAt(*r.ValidUntil) {
			t.Errorf("%s: valid at its end %v", host, r.ValidUntil)
		}
		last := r.ValidUntil.Add(-time.Nanosecond)
		byInstant[last] = append(byInstant[last], host)
	}
	for at, hosts := range byInstant {
		pl, _ := Plan(Input{Config: cfg, Inventory: inv, Now: at, InventorySource: "dir:snapshots"})
		for _, hp := range pl.Hosts {
			for _, h := range hosts {
				if hp.Host == h {
					if a, b := mustJSON(t, hp), mustJSON(t, kept[h].Plan); a != b {
						t.Errorf("%s at %v, the last instant of its interval: plan\n%s\nrecorded\n%s", h, at, a, b)
					}
				}
			}
		}
	}
}
