package planner

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

// TestFutureTimes: a first-seen time, release date or scan time after the
// plan's now (a clock that jumped forward and back) counts as now, with a
// warning, instead of deferring the update for years.
func TestFutureTimes(t *testing.T) {
	policy := "approve {\n classification = [\"security\"]\n after = \"3d\"\n }"
	cfg := loadConfig(t, oneHost+"policy \"p\" {\n provider = \"apt\"\n targets = [host.web_1]\n"+policy+"\n}\n")
	future := time.Date(2031, 6, 1, 0, 0, 0, 0, time.UTC)
	unreleased := sec("libc6", "2.36-9", "2.36-10")
	unreleased.ReleasedAt = time.Time{}
	released := sec("openssl", "3.0.11-1", "3.0.11-2")
	released.ReleasedAt = future
	key := UpdateKey{"web_1", "apt", "libc6", "2.36-10"}
	for _, tc := range []struct {
		name      string
		update    model.Update
		scannedAt time.Time
		hist      History
		now       string
		want      []string
		warns     []string
	}{{
		name: "first seen in the future counts from now", update: unreleased, scannedAt: scannedAt,
		hist: History{FirstSeen: map[UpdateKey]time.Time{key: future}}, now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred libc6 2.36-10 until 2026-11-26T10:00:00Z: approve[0]: classification=security, after=3d (first seen 2026-11-23)",
			"reboot: none",
		},
		warns: []string{`host "web_1": apt update libc6 2.36-10 was first seen at 2031-06-01T00:00:00Z, after the plan time 2026-11-23T10:00:00Z (did the clock jump?); its approval delay counts from the plan time`},
	}, {
		name: "first seen in the past is kept", update: unreleased, scannedAt: scannedAt,
		hist: History{FirstSeen: map[UpdateKey]time.Time{key: time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)}}, now: "2026-11-23T10:00:00Z",
		want: []string{
			"upgrade libc6 2.36-9->2.36-10: approve[0]: classification=security, after=3d",
			"reboot: none",
		},
	}, {
		name: "a scan in the future counts from now", update: unreleased, scannedAt: future, now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred libc6 2.36-10 until 2026-11-26T10:00:00Z: approve[0]: classification=security, after=3d (first seen 2026-11-23)",
			"reboot: none",
		},
		warns: []string{`host "web_1": apt update libc6 2.36-10 was first seen at 2031-06-01T00:00:00Z, after the plan time 2026-11-23T10:00:00Z (did the clock jump?); its approval delay counts from the plan time`},
	}, {
		name: "released in the future counts from now", update: released, scannedAt: scannedAt, now: "2026-11-23T10:00:00Z",
		want: []string{
			"deferred openssl 3.0.11-2 until 2026-11-26T10:00:00Z: approve[0]: classification=security, after=3d (released 2026-11-23)",
			"reboot: none",
		},
		warns: []string{`host "web_1": apt update openssl 3.0.11-2 was released at 2031-06-01T00:00:00Z, after the plan time 2026-11-23T10:00:00Z (did the clock jump?); its approval delay counts from the plan time`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := snap("web_1", []string{"libc6=2.36-9", "openssl=3.0.11-1"}, tc.update)
			s.ScannedAt = tc.scannedAt
			pl, warns := Plan(Input{Config: cfg, Inventory: map[string]*model.Snapshot{"web_1": s}, Now: at(t, tc.now), History: tc.hist})
			if diff := cmp.Diff(tc.want, lines(host(t, pl, "web_1"))); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
			var got []string
			for _, w := range warns {
				got = append(got, w.Message)
			}
			if diff := cmp.Diff(tc.warns, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}
