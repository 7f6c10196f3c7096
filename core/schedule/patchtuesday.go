package schedule

import "time"

// PatchTuesday is a monthly opening tied to Microsoft's release day: the
// second Tuesday of each month, at Start on the window's wall clock, moved
// by Offset. Offset is normally whole days and may be negative ("2d" is the
// Thursday after Patch Tuesday, "-1d" the Monday before); it is applied to
// the wall-clock reading, so "2d" stays at Start even across a DST change,
// and it may move the opening into the next or previous month.
type PatchTuesday struct {
	Offset time.Duration
	Start  Clock
}

// secondTuesday normalises year y and month mo as time.Date does (mo may be
// outside 1-12) and returns them with the day of that month's second Tuesday.
func secondTuesday(y int, mo time.Month) (int, time.Month, int) {
	first := time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	firstTuesday := 1 + (int(time.Tuesday)-int(first.Weekday())+7)%7
	return first.Year(), first.Month(), firstTuesday + 7
}

// civilStart returns the civil time at which the opening belonging to month
// mo of year y starts.
func (p *PatchTuesday) civilStart(y int, mo time.Month) time.Time {
	y, mo, d := secondTuesday(y, mo)
	return time.Date(y, mo, d, p.Start.Hour, p.Start.Minute, 0, 0, time.UTC).Add(p.Offset)
}

// next returns the first opening start strictly after t, in loc.
func (p *PatchTuesday) next(t time.Time, loc *time.Location) time.Time {
	// The opening for month M starts near M's second Tuesday + Offset, so
	// the month of t - Offset, less one, starts before t: every opening
	// from month M-1 lies at least twelve days earlier. Openings advance by
	// four weeks or more a month, so a few steps reach the first after t.
	local := t.In(loc)
	back := time.Date(local.Year(), local.Month(), local.Day()-int(p.Offset/day), 0, 0, 0, 0, time.UTC)
	y, mo := back.Year(), back.Month()-1
	for range 12 {
		if s := at(p.civilStart(y, mo), loc); s.After(t) {
			return s
		}
		mo++
	}
	return time.Time{} // not reached
}
