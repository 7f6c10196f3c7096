package schedule

import (
	"math/bits"
	"time"
)

// searchYears bounds how far Next looks ahead. Eight years covers every
// satisfiable expression, including 29 February across the skipped leap year
// 2100; unsatisfiable ones such as "0 0 31 2 *" give up after it.
const searchYears = 8

// Next returns the first instant strictly after t at which c fires,
// evaluated on the wall clock of t.Location(), or the zero time if c matches
// nothing within the next eight years (e.g. "0 0 31 2 *").
//
// A matching wall time that the clocks skip (spring forward) fires at the
// first instant after the gap; one that happens twice (fall back) fires only
// at its first occurrence. So the result is not always a matching minute,
// and several matches may fire at the same instant, which Next reports once.
func (c *Cron) Next(t time.Time) time.Time {
	if c == nil {
		return time.Time{}
	}
	loc := t.Location()
	from := civil(t).Add(time.Minute)
	limit := from.Year() + searchYears
	for {
		m := c.nextCivil(from, limit)
		if m.IsZero() {
			return time.Time{}
		}
		// Civil readings map to instants in order, so the first whose
		// instant is after t is the answer. Readings skipped here are
		// repeats from a fall-back hour that already happened before t.
		if when := at(m, loc); when.After(t) {
			return when
		}
		from = m.Add(time.Minute)
	}
}

// nextCivil returns the first civil minute at or after from (a whole minute,
// UTC-based civil time) that c matches, or the zero time when there is none
// before the end of year limit. It skips whole months, days and hours that
// cannot match rather than stepping minute by minute.
func (c *Cron) nextCivil(t time.Time, limit int) time.Time {
	for t.Year() <= limit {
		y, mo, d := t.Date()
		switch {
		case c.month&(1<<uint(mo)) == 0:
			t = time.Date(y, mo+1, 1, 0, 0, 0, 0, time.UTC)
		case !c.dayMatches(t):
			t = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
		default:
			h, ok := nextBit(c.hour, t.Hour())
			if !ok {
				t = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
				continue
			}
			if h != t.Hour() {
				t = time.Date(y, mo, d, h, 0, 0, 0, time.UTC)
			}
			m, ok := nextBit(c.minute, t.Minute())
			if !ok {
				t = time.Date(y, mo, d, h+1, 0, 0, 0, time.UTC)
				continue
			}
			return time.Date(y, mo, d, h, m, 0, 0, time.UTC)
		}
	}
	return time.Time{}
}

// dayMatches applies the day-of-month/day-of-week rule to civil day t.
func (c *Cron) dayMatches(t time.Time) bool {
	dom := c.dom&(1<<uint(t.Day())) != 0
	dow := c.dow&(1<<uint(t.Weekday())) != 0
	if c.domAny || c.dowAny {
		return dom && dow
	}
	return dom || dow
}

// nextBit returns the smallest set bit of set that is >= from.
func nextBit(set uint64, from int) (int, bool) {
	rest := set >> uint(from)
	if rest == 0 {
		return 0, false
	}
	return from + bits.TrailingZeros64(rest), true
}
