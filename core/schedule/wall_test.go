package schedule

import (
	"testing"
	"time"
)

func TestAt(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	howe := mustLoad(t, "Australia/Lord_Howe") // 30-minute DST shift
	utc := time.UTC
	civ := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, utc) }
	tests := []struct {
		name  string
		civil time.Time
		loc   *time.Location
		want  time.Time
	}{
		{"plain", civ(2026, 5, 4, 22, 0), berlin, time.Date(2026, 5, 4, 20, 0, 0, 0, utc)},
		{"utc", civ(2026, 5, 4, 22, 0), utc, time.Date(2026, 5, 4, 22, 0, 0, 0, utc)},
		{"before gap", civ(2026, 3, 29, 1, 59), berlin, time.Date(2026, 3, 29, 0, 59, 0, 0, utc)},
		{"gap start", civ(2026, 3, 29, 2, 0), berlin, time.Date(2026, 3, 29, 1, 0, 0, 0, utc)},
		{"in gap", civ(2026, 3, 29, 2, 30), berlin, time.Date(2026, 3, 29, 1, 0, 0, 0, utc)},
		{"gap end", civ(2026, 3, 29, 3, 0), berlin, time.Date(2026, 3, 29, 1, 0, 0, 0, utc)},
		{"after gap", civ(2026, 3, 29, 3, 1), berlin, time.Date(2026, 3, 29, 1, 1, 0, 0, utc)},
		{"before repeat", civ(2026, 10, 25, 1, 59), berlin, time.Date(2026, 10, 24, 23, 59, 0, 0, utc)},
		{"repeat start", civ(2026, 10, 25, 2, 0), berlin, time.Date(2026, 10, 25, 0, 0, 0, 0, utc)},
		{"repeated", civ(2026, 10, 25, 2, 30), berlin, time.Date(2026, 10, 25, 0, 30, 0, 0, utc)},
		{"after repeat", civ(2026, 10, 25, 3, 0), berlin, time.Date(2026, 10, 25, 2, 0, 0, 0, utc)},
		{"New York gap", civ(2026, 3, 8, 2, 30), ny, time.Date(2026, 3, 8, 7, 0, 0, 0, utc)},
		{"New York repeat", civ(2026, 11, 1, 1, 30), ny, time.Date(2026, 11, 1, 5, 30, 0, 0, utc)},
		// Lord Howe: 02:00 +10:30 becomes 02:30 +11 on 4 October 2026, and
		// 02:00 +11 becomes 01:30 +10:30 on 5 April 2026.
		{"half-hour gap", civ(2026, 10, 4, 2, 15), howe, time.Date(2026, 10, 3, 15, 30, 0, 0, utc)},
		{"half-hour repeat", civ(2026, 4, 5, 1, 45), howe, time.Date(2026, 4, 4, 14, 45, 0, 0, utc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := at(tt.civil, tt.loc)
			if !got.Equal(tt.want) || got.Location() != tt.loc {
				t.Fatalf("at(%v, %v) = %v, want %v", tt.civil, tt.loc, got, tt.want.In(tt.loc))
			}
		})
	}
}
