package planner

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// TestSnapshotsSameAsInventory: a fleet streamed through Input.Snapshots
// (asked in Order, each snapshot given only when asked) plans exactly as
// the whole inventory at once, inside the window (the canary ring acts,
// the rest waits for it), after the canary installed everything (the rest
// soaks, from the canary's scans), and before any window.
func TestSnapshotsSameAsInventory(t *testing.T) {
	cfg, inv := fleet(t, 300)
	// After the canary ring: its hosts have every update installed, as
	// scanned an hour before the window opens.
	done := map[string]*model.Snapshot{}
	canary := newRings(cfg.Policies["prod_apt"])
	for h, s := range inv {
		if canary.index(h) != 0 {
			done[h] = s
			continue
		}
		c := *s
		c.ScannedAt = time.Date(2026, 11, 28, 20, 0, 0, 0, time.UTC) // an hour before the window
		c.Providers = map[string]*model.ProviderInventory{}
		for name, p := range s.Providers {
			pc := *p
			pc.Installed = slices.Clone(p.Installed)
			for _, u := range p.Available {
				pc.Installed = append(pc.Installed, model.Installed{ID: u.ID, Name: u.Name, Version: u.To})
			}
			pc.Available = nil
			c.Providers[name] = &pc
		}
		done[h] = &c
	}
	for _, tc := range []struct {
		name, at string
		inv      map[string]*model.Snapshot
	}{
		{"inside-window", "2026-11-28T22:30:00+01:00", inv},
		{"canary-done", "2026-11-28T22:30:00+01:00", done},
		{"outside-window", "2026-11-23T10:00:00Z", inv},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now, _ := time.Parse(time.RFC3339, tc.at)
			whole, wholeWarns := Plan(Input{Config: cfg, Inventory: tc.inv, Now: now})
			order := Order(cfg)
			var asked []string
			streamed, streamedWarns := Plan(Input{Config: cfg, Now: now, Snapshots: func(h string) *model.Snapshot {
				asked = append(asked, h)
				return tc.inv[h]
			}})
			if !slices.Equal(asked, order) {
				t.Fatalf("asked for %d hosts not in Order's order (%d hosts)", len(asked), len(order))
			}
			a, _ := json.Marshal(whole)
			b, _ := json.Marshal(streamed)
			if !bytes.Equal(a, b) {
				t.Errorf("streamed plan differs from the whole inventory's")
			}
			if !slices.Equal(wholeWarns, streamedWarns) {
				t.Errorf("warnings differ: %v, streamed %v", wholeWarns, streamedWarns)
			}
			if whole.Summary.Actions["upgrade"] == 0 && tc.name == "inside-window" {
				t.Errorf("no upgrades planned: the case tests nothing")
			}
			if tc.name == "canary-done" && !bytes.Contains(a, []byte("ring canary soaking until")) {
				t.Errorf("no host soaks after the canary: the case tests nothing")
			}
		})
	}
}
