package planner

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

// TestStaleness: snapshots older than StaleAfter are warned about, one
// host by name, several in one warning (issue 18, item 6).
func TestStaleness(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	snap := func(ago time.Duration) *model.Snapshot { return &model.Snapshot{ScannedAt: now.Add(-ago)} }
	tests := []struct {
		name  string
		after time.Duration
		inv   map[string]*model.Snapshot
		want  []model.Warning
	}{
		{"fresh", 24 * time.Hour, map[string]*model.Snapshot{"a": snap(23 * time.Hour)}, nil},
		{"off", 0, map[string]*model.Snapshot{"a": snap(400 * time.Hour)}, nil},
		{"one", 24 * time.Hour, map[string]*model.Snapshot{"a": snap(23 * time.Hour), "b": snap(30 * time.Hour)},
			[]model.Warning{{Message: `host "b": stale snapshot, scanned at 2026-11-27T06:00:00Z, 30h before the plan (stale after 24h); the host may have changed since`}}},
		{"several", 6 * time.Hour, map[string]*model.Snapshot{"a": snap(7 * time.Hour), "b": snap(72 * time.Hour), "c": snap(time.Hour)},
			[]model.Warning{{Message: `2 hosts have stale snapshots, scanned more than 6h before the plan (the oldest, "b", at 2026-11-25T12:00:00Z, 3d before): "a", "b"; they may have changed since`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w warnings
			staleness(Input{Inventory: tt.inv, StaleAfter: tt.after}, now, &w)
			if d := cmp.Diff(tt.want, w.list); d != "" {
				t.Errorf("warnings (-want +got):\n%s", d)
			}
		})
	}
}
