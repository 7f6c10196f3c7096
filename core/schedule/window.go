package schedule

import "time"

// Window is a recurring maintenance window: openings at the times Cron or
// PatchTuesday gives (exactly one is set), each lasting Duration of elapsed
// time, of which the last Cutoff accepts no new work.
//
// Opening times are read on the wall clock of Location (UTC when nil); see
// the package documentation for daylight saving time. A Window whose fields
// break the rules below never opens.
type Window struct {
	Name         string
	Cron         *Cron         // either Cron ...
	PatchTuesday *PatchTuesday // ... or PatchTuesday (exactly one is set)
	Duration     time.Duration // > 0
	Cutoff       time.Duration // >= 0, < Duration: no new action starts in the last Cutoff of an opening
	Location     *time.Location
}

// State describes a window at one instant.
type State struct {
	// Open reports whether the instant is inside an opening and before its
	// cutoff: new work may start.
	Open bool
	// OpenedAt is, when Open, the start of the current opening. When
	// openings overlap, the current one is the one that started last.
	OpenedAt time.Time
	// ClosesAt is, when Open, OpenedAt + Duration - Cutoff: when new work
	// stops.
	ClosesAt time.Time
	// NextOpen is, when not Open, the start of the next opening whose usable
	// part (before its cutoff) is after the instant. An opening whose cutoff
	// has already begun does not count. It is zero when the window never
	// opens again (a cron expression that matches nothing, or an invalid
	// Window).
	NextOpen time.Time
}

// State describes the window at now. Times in the result are in the
// window's location.
func (w *Window) State(now time.Time) State {
	next, usable, ok := w.openings()
	if !ok {
		return State{}
	}
	if s := latestStart(next, now, usable); !s.IsZero() {
		return State{Open: true, OpenedAt: s, ClosesAt: s.Add(usable)}
	}
	return State{NextOpen: next(now)}
}

// NextUsable returns the earliest instant at or after t at which the window
// is open: t itself if it is open at t, otherwise the start of the next
// opening. It returns the zero time if the window never opens again.
func (w *Window) NextUsable(t time.Time) time.Time {
	st := w.State(t)
	if st.Open {
		return t
	}
	return st.NextOpen
}

// NextChange returns the earliest instant after now at which State may
// describe the window otherwise than at now: the next opening starting, or
// the current one's usable part ending. It is zero when the window never
// changes again.
func (w *Window) NextChange(now time.Time) time.Time {
	next, _, ok := w.openings()
	if !ok {
		return time.Time{}
	}
	n := next(now) // strictly after now
	if st := w.State(now); st.Open && (n.IsZero() || st.ClosesAt.Before(n)) {
		return st.ClosesAt
	}
	return n
}

// openings returns a function giving the first opening start strictly after
// an instant, and how long each opening is usable (Duration - Cutoff). ok is
// false when the window is not valid and so never opens.
func (w *Window) openings() (next func(time.Time) time.Time, usable time.Duration, ok bool) {
	if w == nil || w.Duration <= 0 || w.Cutoff < 0 || w.Cutoff >= w.Duration {
		return nil, 0, false
	}
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	usable = w.Duration - w.Cutoff
	switch {
	case w.Cron != nil && w.PatchTuesday == nil:
		c := w.Cron
		return func(t time.Time) time.Time { return c.Next(t.In(loc)) }, usable, true
	case w.PatchTuesday != nil && w.Cron == nil:
		p := w.PatchTuesday
		return func(t time.Time) time.Time { return p.next(t, loc) }, usable, true
	}
	return nil, 0, false
}

// latestStart returns the latest opening start s with now-span < s <= now,
// that is the opening whose usable part contains now, or the zero time.
func latestStart(next func(time.Time) time.Time, now time.Time, span time.Duration) time.Time {
	s := next(now.Add(-span))
	if s.IsZero() || s.After(now) {
		return time.Time{}
	}
	// Look back 1m, 2m, 4m, … so that closely packed openings (say every
	// minute of a long window) are not walked one by one across the span.
	for back := time.Minute; back > 0 && back < span; back *= 2 {
		if n := next(now.Add(-back)); !n.IsZero() && !n.After(now) {
			s = n
			break
		}
	}
	for {
		n := next(s)
		if n.IsZero() || n.After(now) {
			return s
		}
		s = n
	}
}
