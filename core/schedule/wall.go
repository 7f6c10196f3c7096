package schedule

import "time"

// A civil time is a wall-clock reading with no location attached. This
// package keeps civil times in time.Time values in UTC, which has no daylight
// saving time, so calendar arithmetic on them is plain.

// civil returns t's wall-clock reading in its own location, to the minute.
func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
}

// at returns the instant at which loc's clocks show the civil time c:
//
//   - the instant itself when there is exactly one;
//   - the first of them when the reading happens twice (clocks fall back);
//   - the first instant after the gap when the reading never happens (clocks
//     spring forward over it).
//
// The result is in loc.
func at(c time.Time, loc *time.Location) time.Time {
	y, mo, d := c.Date()
	h, mi, s := c.Clock()
	guess := time.Date(y, mo, d, h, mi, s, c.Nanosecond(), loc)
	start, end := guess.ZoneBounds()

	// The reading can only belong to guess's zone period or one next to it.
	var best time.Time
	try := func(inZone time.Time) {
		_, off := inZone.Zone()
		t := c.Add(-time.Duration(off) * time.Second).In(loc)
		if sameWall(t, c) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	try(guess)
	if !start.IsZero() {
		try(start.Add(-time.Nanosecond))
	}
	if !end.IsZero() {
		try(end)
	}
	if !best.IsZero() {
		return best
	}

	// No instant shows c: c falls in the gap of a transition at start or end.
	for _, tr := range [2]time.Time{start, end} {
		if tr.IsZero() {
			continue
		}
		_, before := tr.Add(-time.Nanosecond).Zone()
		_, after := tr.Zone()
		u := tr.UTC()
		if !c.Before(u.Add(time.Duration(before)*time.Second)) && c.Before(u.Add(time.Duration(after)*time.Second)) {
			return tr.In(loc)
		}
	}
	return guess // not reached for real zone data
}

// sameWall reports whether t's wall-clock reading in its location is c.
func sameWall(t, c time.Time) bool {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC).Equal(c)
}
