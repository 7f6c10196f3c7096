package schedule

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// windowCase is one State query and its expected answer.
type windowCase struct {
	name string
	now  time.Time
	want State
}

// checkStates runs State for each case and compares exact instants.
func checkStates(t *testing.T, w *Window, cases []windowCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got := w.State(tt.now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("State(%v) mismatch (-want +got):\n%s", tt.now, diff)
			}
			for _, ts := range []time.Time{got.OpenedAt, got.ClosesAt, got.NextOpen} {
				if !ts.IsZero() && ts.Location() != w.Location {
					t.Errorf("time %v not in %v", ts, w.Location)
				}
			}
		})
	}
}

func open(at, closes time.Time) State { return State{Open: true, OpenedAt: at, ClosesAt: closes} }
func closed(next time.Time) State     { return State{NextOpen: next} }

func TestWindowStateNightly(t *testing.T) {
	utc := time.UTC
	d := func(day, h, m int) time.Time { return time.Date(2026, 5, day, h, m, 0, 0, utc) }
	// Opens 22:00 every day for 6h; no new work in the last hour.
	w := &Window{Name: "nightly", Cron: mustCron(t, "0 22 * * *"), Duration: 6 * time.Hour, Cutoff: time.Hour, Location: utc}
	checkStates(t, w, []windowCase{
		{"before", d(4, 21, 59), closed(d(4, 22, 0))},
		{"at opening", d(4, 22, 0), open(d(4, 22, 0), d(5, 3, 0))},
		{"inside", d(4, 23, 30), open(d(4, 22, 0), d(5, 3, 0))},
		{"after midnight", d(5, 2, 59), open(d(4, 22, 0), d(5, 3, 0))},
		{"cutoff starts", d(5, 3, 0), closed(d(5, 22, 0))},
		{"in cutoff", d(5, 3, 30), closed(d(5, 22, 0))},
		{"at end", d(5, 4, 0), closed(d(5, 22, 0))},
		{"after", d(5, 12, 0), closed(d(5, 22, 0))},
	})
}

func TestWindowStateNoCutoff(t *testing.T) {
	utc := time.UTC
	d := func(day, h, m int) time.Time { return time.Date(2026, 5, day, h, m, 0, 0, utc) }
	w := &Window{Cron: mustCron(t, "30 1 * * MON"), Duration: 2 * time.Hour, Location: utc}
	checkStates(t, w, []windowCase{
		{"inside", d(4, 3, 29), open(d(4, 1, 30), d(4, 3, 30))},
		{"end", d(4, 3, 30), closed(d(11, 1, 30))},
	})
}

func TestWindowStateOverlapping(t *testing.T) {
	utc := time.UTC
	d := func(h, m int) time.Time { return time.Date(2026, 5, 4, h, m, 0, 0, utc) }
	// Hourly openings of 3h overlap: always open; the latest opening counts.
	hourly := &Window{Cron: mustCron(t, "0 * * * *"), Duration: 3 * time.Hour, Location: utc}
	checkStates(t, hourly, []windowCase{
		{"between", d(10, 30), open(d(10, 0), d(13, 0))},
		{"on the hour", d(11, 0), open(d(11, 0), d(14, 0))},
	})
	// Every minute of 01:00-01:59, each opening 6h: walked quickly.
	packed := &Window{Cron: mustCron(t, "* 1 * * *"), Duration: 6 * time.Hour, Cutoff: 30 * time.Minute, Location: utc}
	checkStates(t, packed, []windowCase{
		{"during", d(1, 20), open(d(1, 20), d(6, 50))},
		{"later", d(6, 0), open(d(1, 59), d(7, 29))},
		{"cutoff of the last", d(7, 29), closed(time.Date(2026, 5, 5, 1, 0, 0, 0, utc))},
	})
}

// TestWindowStateBerlinDST is the weekend window of the design document
// across both 2026 clock changes in Europe/Berlin.
func TestWindowStateBerlinDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	z := func(mo time.Month, day, h, m int) time.Time {
		return time.Date(2026, mo, day, h, m, 0, 0, time.UTC).In(berlin)
	}
	w := &Window{Name: "weekend_nights", Cron: mustCron(t, "0 22 * * SAT"), Duration: 6 * time.Hour, Cutoff: time.Hour, Location: berlin}
	checkStates(t, w, []windowCase{
		// Fall back on Sunday 25 October: 03:00 CEST (01:00Z) becomes 02:00
		// CET. The opening at 22:00 CEST (20:00Z) lasts 6 real hours, so new
		// work stops after 5 of them: at 01:00Z, the second 02:00 (CET).
		{"fall: before", z(10, 24, 19, 59), closed(z(10, 24, 20, 0))},
		{"fall: opens 22:00 CEST", z(10, 24, 20, 0), open(z(10, 24, 20, 0), z(10, 25, 1, 0))},
		{"fall: first 02:30 (CEST)", z(10, 25, 0, 30), open(z(10, 24, 20, 0), z(10, 25, 1, 0))},
		{"fall: second 02:00 (CET) is cutoff", z(10, 25, 1, 0), closed(z(10, 31, 21, 0))},
		{"fall: second 02:30 (CET)", z(10, 25, 1, 30), closed(z(10, 31, 21, 0))},
		{"fall: next week 22:00 CET", z(10, 31, 21, 0), open(z(10, 31, 21, 0), z(11, 1, 2, 0))},
		// Spring forward on Sunday 29 March: 02:00 CET (01:00Z) becomes 03:00
		// CEST. Opening 22:00 CET (21:00Z), new work stops 5 real hours later:
		// 02:00Z, 04:00 CEST.
		{"spring: opens 22:00 CET", z(3, 28, 21, 0), open(z(3, 28, 21, 0), z(3, 29, 2, 0))},
		{"spring: 03:59 CEST", z(3, 29, 1, 59), open(z(3, 28, 21, 0), z(3, 29, 2, 0))},
		{"spring: 04:00 CEST is cutoff", z(3, 29, 2, 0), closed(z(4, 4, 20, 0))},
		{"spring: next week 22:00 CEST", z(4, 4, 20, 0), open(z(4, 4, 20, 0), z(4, 5, 1, 0))},
	})
	// The wall-clock values a user sees.
	st := w.State(z(10, 24, 21, 0))
	if got := st.ClosesAt.Format(time.RFC3339); got != "2026-10-25T02:00:00+01:00" {
		t.Errorf("fall ClosesAt = %s, want 2026-10-25T02:00:00+01:00", got)
	}
	st = w.State(z(3, 29, 3, 0))
	if got := st.NextOpen.Format(time.RFC3339); got != "2026-04-04T22:00:00+02:00" {
		t.Errorf("spring NextOpen = %s, want 2026-04-04T22:00:00+02:00", got)
	}
}

func TestWindowStateDSTEdges(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	z := func(loc *time.Location, y int, mo time.Month, day, h, m int) time.Time {
		return time.Date(y, mo, day, h, m, 0, 0, time.UTC).In(loc)
	}
	// 02:30 on 29 March does not exist in Berlin: the opening is at 03:00
	// CEST (01:00Z). 02:30 on 25 October happens twice: the opening is at the
	// first (00:30Z) and not again at the second (01:30Z).
	sunday := &Window{Cron: mustCron(t, "30 2 * * SUN"), Duration: time.Hour, Location: berlin}
	t.Run("gap", func(t *testing.T) {
		checkStates(t, sunday, []windowCase{
			{"before", z(berlin, 2026, 3, 29, 0, 59), closed(z(berlin, 2026, 3, 29, 1, 0))},
			{"opens after the gap", z(berlin, 2026, 3, 29, 1, 0), open(z(berlin, 2026, 3, 29, 1, 0), z(berlin, 2026, 3, 29, 2, 0))},
		})
	})
	t.Run("repeat", func(t *testing.T) {
		checkStates(t, sunday, []windowCase{
			{"first 02:30", z(berlin, 2026, 10, 25, 0, 30), open(z(berlin, 2026, 10, 25, 0, 30), z(berlin, 2026, 10, 25, 1, 30))},
			{"second 02:30", z(berlin, 2026, 10, 25, 1, 30), closed(z(berlin, 2026, 11, 1, 1, 30))},
		})
	})
	// A 4h window from 00:30 on 8 March 2026 in New York, where 02:00 EST
	// becomes 03:00 EDT: it opens 05:30Z and closes 4 real hours later,
	// 09:30Z, which is 05:30 EDT on the wall clock.
	t.Run("DST inside the window", func(t *testing.T) {
		w := &Window{Cron: mustCron(t, "30 0 8 3 *"), Duration: 4 * time.Hour, Location: ny}
		checkStates(t, w, []windowCase{
			{"opens", z(ny, 2026, 3, 8, 5, 30), open(z(ny, 2026, 3, 8, 5, 30), z(ny, 2026, 3, 8, 9, 30))},
			{"05:29 EDT", z(ny, 2026, 3, 8, 9, 29), open(z(ny, 2026, 3, 8, 5, 30), z(ny, 2026, 3, 8, 9, 30))},
			{"05:30 EDT", z(ny, 2026, 3, 8, 9, 30), closed(z(ny, 2027, 3, 8, 5, 30))},
		})
		if got := w.State(z(ny, 2026, 3, 8, 6, 0)).ClosesAt.Format(time.RFC3339); got != "2026-03-08T05:30:00-04:00" {
			t.Errorf("ClosesAt = %s, want 2026-03-08T05:30:00-04:00", got)
		}
	})
}

func TestWindowStatePatchTuesday(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	l := func(y int, mo time.Month, d, h, m int) time.Time { return time.Date(y, mo, d, h, m, 0, 0, ny) }
	pt := func(offset time.Duration, cutoff time.Duration) *Window {
		return &Window{Name: "after_patch_tuesday", PatchTuesday: &PatchTuesday{Offset: offset, Start: Clock{22, 0}},
			Duration: 4 * time.Hour, Cutoff: cutoff, Location: ny}
	}
	tests := []struct {
		name string
		w    *Window
		now  time.Time
		want State
	}{
		// November 2026: Patch Tuesday is the 10th; +2d is Thursday the 12th.
		{"2d before", pt(2*day, 0), l(2026, 11, 11, 12, 0), closed(l(2026, 11, 12, 22, 0))},
		{"2d opens", pt(2*day, 0), l(2026, 11, 12, 22, 0), open(l(2026, 11, 12, 22, 0), l(2026, 11, 13, 2, 0))},
		{"2d after midnight", pt(2*day, 0), l(2026, 11, 13, 1, 59), open(l(2026, 11, 12, 22, 0), l(2026, 11, 13, 2, 0))},
		{"2d after", pt(2*day, 0), l(2026, 11, 13, 2, 0), closed(l(2026, 12, 10, 22, 0))},
		{"2d cutoff", pt(2*day, time.Hour), l(2026, 11, 13, 1, 30), closed(l(2026, 12, 10, 22, 0))},
		{"2d early in month", pt(2*day, 0), l(2026, 11, 1, 0, 0), closed(l(2026, 11, 12, 22, 0))},
		{"zero offset", pt(0, 0), l(2026, 11, 1, 0, 0), closed(l(2026, 11, 10, 22, 0))},
		{"negative offset", pt(-day, 0), l(2026, 11, 1, 0, 0), closed(l(2026, 11, 9, 22, 0))},
		// -14d: December's opening (8th - 14d) falls in November.
		{"next month's opening early", pt(-14*day, 0), l(2026, 11, 20, 0, 0), closed(l(2026, 11, 24, 22, 0))},
		{"next month's opening runs", pt(-14*day, 0), l(2026, 11, 24, 23, 0), open(l(2026, 11, 24, 22, 0), l(2026, 11, 25, 2, 0))},
		// +17d: July's opening (14th + 17d) is 31 July 22:00 and still runs
		// on 1 August; August's is the 28th.
		{"last month's opening runs", pt(17*day, 0), l(2026, 8, 1, 1, 0), open(l(2026, 7, 31, 22, 0), l(2026, 8, 1, 2, 0))},
		{"last month's opening ends", pt(17*day, 0), l(2026, 8, 1, 2, 0), closed(l(2026, 8, 28, 22, 0))},
		// +30d from 8 December is 7 January: December's opening in the new year.
		{"across the year", pt(30*day, 0), l(2027, 1, 5, 0, 0), closed(l(2027, 1, 7, 22, 0))},
		// Offsets count on the wall clock: 13 October + 20d is 2 November,
		// after New York falls back on the 1st, still at 22:00 (EST).
		{"offset across DST", pt(20*day, 0), l(2026, 10, 20, 0, 0), closed(l(2026, 11, 2, 22, 0))},
		// March 2026: Patch Tuesday the 10th, after the US change on the 8th.
		{"summer time", pt(0, 0), l(2026, 3, 1, 0, 0), closed(l(2026, 3, 10, 22, 0))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.State(tt.now); !cmp.Equal(got, tt.want) {
				t.Fatalf("State(%v) = %+v, want %+v", tt.now, got, tt.want)
			}
		})
	}
	got := pt(2*day, 0).State(l(2026, 11, 1, 0, 0)).NextOpen.Format(time.RFC3339)
	if got != "2026-11-12T22:00:00-05:00" {
		t.Errorf("NextOpen = %s, want 2026-11-12T22:00:00-05:00", got)
	}
}

func TestWindowNeverOpens(t *testing.T) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	daily := mustCron(t, "0 22 * * *")
	tests := []struct {
		name string
		w    *Window
	}{
		{"nil", nil},
		{"no schedule", &Window{Duration: time.Hour}},
		{"both schedules", &Window{Cron: daily, PatchTuesday: &PatchTuesday{}, Duration: time.Hour}},
		{"zero duration", &Window{Cron: daily}},
		{"negative cutoff", &Window{Cron: daily, Duration: time.Hour, Cutoff: -time.Minute}},
		{"cutoff equals duration", &Window{Cron: daily, Duration: time.Hour, Cutoff: time.Hour}},
		{"cron never matches", &Window{Cron: mustCron(t, "0 0 31 2 *"), Duration: time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.State(now); got != (State{}) {
				t.Errorf("State = %+v, want zero", got)
			}
			if got := tt.w.NextUsable(now); !got.IsZero() {
				t.Errorf("NextUsable = %v, want zero", got)
			}
		})
	}
}

func TestWindowNilLocationIsUTC(t *testing.T) {
	w := &Window{Cron: mustCron(t, "0 22 * * *"), Duration: time.Hour}
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, mustLoad(t, "Asia/Tokyo"))
	want := time.Date(2026, 5, 4, 22, 0, 0, 0, time.UTC)
	if got := w.State(now).NextOpen; !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("NextOpen = %v, want %v", got, want)
	}
}

func TestWindowNextUsable(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	b := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, berlin) }
	w := &Window{Cron: mustCron(t, "0 22 * * SAT"), Duration: 6 * time.Hour, Cutoff: time.Hour, Location: berlin}
	ny := mustLoad(t, "America/New_York")
	pt := &Window{PatchTuesday: &PatchTuesday{Offset: 2 * day, Start: Clock{22, 0}}, Duration: 4 * time.Hour, Location: ny}
	tests := []struct {
		name string
		w    *Window
		t    time.Time
		want time.Time
	}{
		{"closed: next opening", w, b(5, 4, 12, 0), b(5, 9, 22, 0)},
		{"open: t itself", w, b(5, 9, 23, 17), b(5, 9, 23, 17)},
		{"at opening", w, b(5, 9, 22, 0), b(5, 9, 22, 0)},
		{"in cutoff: next week", w, b(5, 10, 3, 30), b(5, 16, 22, 0)},
		{"just before cutoff", w, b(5, 10, 2, 59), b(5, 10, 2, 59)},
		{"other location in", w, time.Date(2026, 5, 9, 12, 0, 0, 0, time.UTC), b(5, 9, 22, 0)},
		{"patch tuesday", pt, time.Date(2026, 11, 11, 0, 0, 0, 0, ny), time.Date(2026, 11, 12, 22, 0, 0, 0, ny)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.NextUsable(tt.t); !got.Equal(tt.want) {
				t.Fatalf("NextUsable(%v) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}

func BenchmarkWindowState(b *testing.B) {
	berlin := mustLoad(b, "Europe/Berlin")
	w := &Window{Cron: mustCron(b, "0 22 * * SAT"), Duration: 6 * time.Hour, Cutoff: time.Hour, Location: berlin}
	now := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	for b.Loop() {
		w.State(now)
	}
}

func BenchmarkWindowStatePacked(b *testing.B) {
	w := &Window{Cron: mustCron(b, "* * * * *"), Duration: 6 * time.Hour, Location: time.UTC}
	now := time.Date(2026, 5, 6, 12, 0, 30, 0, time.UTC)
	for b.Loop() {
		w.State(now)
	}
}

// TestWindowNextChange: State is the same at every instant from now to
// just before NextChange(now), and differs at it.
func TestWindowNextChange(t *testing.T) {
	utc := time.UTC
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	windows := map[string]*Window{
		"nightly with cutoff": {Cron: mustCron(t, "0 22 * * *"), Duration: 6 * time.Hour, Cutoff: time.Hour, Location: utc},
		"overlapping hourly":  {Cron: mustCron(t, "0 * * * *"), Duration: 3 * time.Hour, Location: utc},
		"weekend, Berlin DST": {Cron: mustCron(t, "0 2 * * SUN"), Duration: 2 * time.Hour, Cutoff: 30 * time.Minute, Location: berlin},
		"patch tuesday":       {PatchTuesday: &PatchTuesday{Offset: 2 * day, Start: Clock{22, 0}}, Duration: 4 * time.Hour, Location: ny},
	}
	starts := []time.Time{time.Date(2026, 3, 27, 0, 0, 0, 0, utc), time.Date(2026, 11, 9, 0, 0, 0, 0, utc)}
	for name, w := range windows {
		t.Run(name, func(t *testing.T) {
			for _, start := range starts {
				for now := start; now.Before(start.Add(4 * 24 * time.Hour)); now = now.Add(37 * time.Minute) {
					st, c := w.State(now), w.NextChange(now)
					if c.IsZero() || !c.After(now) {
						t.Fatalf("NextChange(%v) = %v", now, c)
					}
					for at := now; at.Before(c); at = at.Add(max(c.Sub(now)/50, time.Minute)) {
						if w.State(at) != st {
							t.Fatalf("State(%v) = %+v, State(%v) = %+v, but NextChange(%v) = %v", now, st, at, w.State(at), now, c)
						}
					}
					if w.State(c.Add(-time.Nanosecond)) != st {
						t.Fatalf("State changed before NextChange(%v) = %v", now, c)
					}
					if w.State(c) == st {
						t.Errorf("State(%v) unchanged at NextChange(%v) = %v", c, now, c)
					}
				}
			}
		})
	}
	if got := (&Window{Cron: mustCron(t, "0 0 31 2 *"), Duration: time.Hour}).NextChange(starts[0]); !got.IsZero() {
		t.Errorf("a window that never opens changes at %v", got)
	}
}
