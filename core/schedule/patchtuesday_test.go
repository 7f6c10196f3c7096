package schedule

import (
	"testing"
	"time"
)

func TestSecondTuesday(t *testing.T) {
	tests := []struct {
		y    int
		mo   time.Month
		want string
	}{
		{2026, time.November, "2026-11-10"},
		{2026, time.September, "2026-09-08"}, // the 1st is a Tuesday
		{2026, time.March, "2026-03-10"},
		{2026, time.December, "2026-12-08"},
		{2026, 13, "2027-01-12"},
		{2026, 0, "2025-12-09"},
		{2024, time.October, "2024-10-08"},
		{2026, time.February, "2026-02-10"},
	}
	for _, tt := range tests {
		y, mo, d := secondTuesday(tt.y, tt.mo)
		got := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
		if got.Format(time.DateOnly) != tt.want || got.Weekday() != time.Tuesday {
			t.Errorf("secondTuesday(%d, %d) = %v, want %s", tt.y, tt.mo, got, tt.want)
		}
	}
}

// TestPatchTuesdayNextEveryMonth walks three years of openings for many
// offsets and checks that each month's opening comes exactly once, in order.
func TestPatchTuesdayNextEveryMonth(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	for days := -20; days <= 40; days++ {
		p := &PatchTuesday{Offset: time.Duration(days) * day, Start: Clock{22, 0}}
		from := time.Date(2025, 1, 1, 0, 0, 0, 0, ny)
		got := p.next(from, ny)
		// The first opening after from belongs to some month; find it.
		y, mo := 2024, time.Month(6)
		for !at(p.civilStart(y, mo), ny).Equal(got) {
			mo++
			if mo > 30 {
				t.Fatalf("offset %dd: first opening %v belongs to no month", days, got)
			}
		}
		if prev := at(p.civilStart(y, mo-1), ny); prev.After(from) {
			t.Fatalf("offset %dd: skipped opening %v after %v", days, prev, from)
		}
		for range 36 {
			want := at(p.civilStart(y, mo), ny)
			if !got.Equal(want) {
				t.Fatalf("offset %dd: next = %v, want %v", days, got, want)
			}
			if c := civil(got).Add(-p.Offset); c.Weekday() != time.Tuesday || c.Day() < 8 || c.Day() > 14 || c.Hour() != 22 {
				t.Fatalf("offset %dd: %v is not a second Tuesday at 22:00 + offset", days, got)
			}
			mo++
			got = p.next(got, ny)
		}
	}
}
