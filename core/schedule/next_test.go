package schedule

import (
	"testing"
	"time"
	_ "time/tzdata" // named locations even where the system has no zoneinfo
)

// mustLoad returns a named location or fails the test.
func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// mustCron parses a cron expression or fails the test.
func mustCron(t testing.TB, s string) *Cron {
	t.Helper()
	c, err := ParseCron(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCronNext(t *testing.T) {
	utc := time.UTC
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	date := time.Date
	tests := []struct {
		name string
		cron string
		from time.Time
		want time.Time // zero: never
	}{
		{"every minute", "* * * * *", date(2026, 5, 4, 10, 0, 30, 0, utc), date(2026, 5, 4, 10, 1, 0, 0, utc)},
		{"strictly after", "* * * * *", date(2026, 5, 4, 10, 0, 0, 0, utc), date(2026, 5, 4, 10, 1, 0, 0, utc)},
		{"just before", "* * * * *", date(2026, 5, 4, 10, 0, 59, 999999999, utc), date(2026, 5, 4, 10, 1, 0, 0, utc)},
		{"hour end", "* * * * *", date(2026, 5, 4, 10, 59, 0, 0, utc), date(2026, 5, 4, 11, 0, 0, 0, utc)},
		{"weekday", "0 22 * * SAT", date(2026, 5, 4, 12, 0, 0, 0, utc), date(2026, 5, 9, 22, 0, 0, 0, utc)},
		{"weekday at fire time", "0 22 * * SAT", date(2026, 5, 9, 22, 0, 0, 0, utc), date(2026, 5, 16, 22, 0, 0, 0, utc)},
		{"weekday 7 is Sunday", "0 3 * * 7", date(2026, 5, 4, 12, 0, 0, 0, utc), date(2026, 5, 10, 3, 0, 0, 0, utc)},
		{"weekday range to Sunday", "0 3 * * FRI-SUN", date(2026, 5, 9, 12, 0, 0, 0, utc), date(2026, 5, 10, 3, 0, 0, 0, utc)},
		{"list", "0 8,12,18 * * *", date(2026, 5, 4, 12, 0, 0, 0, utc), date(2026, 5, 4, 18, 0, 0, 0, utc)},
		{"list wraps to tomorrow", "0 8,12,18 * * *", date(2026, 5, 4, 18, 0, 0, 0, utc), date(2026, 5, 5, 8, 0, 0, 0, utc)},
		{"step", "*/15 * * * *", date(2026, 5, 4, 10, 7, 0, 0, utc), date(2026, 5, 4, 10, 15, 0, 0, utc)},
		{"step over the hour", "*/15 * * * *", date(2026, 5, 4, 10, 45, 0, 0, utc), date(2026, 5, 4, 11, 0, 0, 0, utc)},
		{"range step", "0-30/10 9 * * *", date(2026, 5, 4, 9, 25, 0, 0, utc), date(2026, 5, 4, 9, 30, 0, 0, utc)},
		{"range step to tomorrow", "0-30/10 9 * * *", date(2026, 5, 4, 9, 31, 0, 0, utc), date(2026, 5, 5, 9, 0, 0, 0, utc)},
		{"month names", "0 0 1 JAN,JUL *", date(2026, 5, 4, 0, 0, 0, 0, utc), date(2026, 7, 1, 0, 0, 0, 0, utc)},
		// 13 April 2026 is a Monday, 17 April a Friday: either matches.
		{"dom or dow: dom first", "0 0 13 * FRI", date(2026, 4, 11, 0, 0, 0, 0, utc), date(2026, 4, 13, 0, 0, 0, 0, utc)},
		{"dom or dow: dow first", "0 0 13 * FRI", date(2026, 4, 13, 0, 0, 0, 0, utc), date(2026, 4, 17, 0, 0, 0, 0, utc)},
		{"dom only with dow *", "0 0 13 * *", date(2026, 4, 13, 0, 0, 0, 0, utc), date(2026, 5, 13, 0, 0, 0, 0, utc)},
		{"dow only with dom *", "0 0 * * FRI", date(2026, 4, 11, 0, 0, 0, 0, utc), date(2026, 4, 17, 0, 0, 0, 0, utc)},
		{"dom */1 counts as *", "0 0 */1 * FRI", date(2026, 4, 11, 0, 0, 0, 0, utc), date(2026, 4, 17, 0, 0, 0, 0, utc)},
		// Vixie cron: a day field starting with "*" counts as star, so both
		// fields must match (Mondays on odd days, not every odd day).
		{"dom */2 counts as star", "0 0 */2 * MON", date(2026, 1, 1, 0, 0, 0, 0, utc), date(2026, 1, 5, 0, 0, 0, 0, utc)},
		{"dom */2 counts as star: next", "0 0 */2 * MON", date(2026, 1, 5, 0, 0, 0, 0, utc), date(2026, 1, 19, 0, 0, 0, 0, utc)},
		{"dom *,10 counts as star", "0 0 *,10 * 2", date(2026, 1, 1, 0, 0, 0, 0, utc), date(2026, 1, 6, 0, 0, 0, 0, utc)},
		{"dom *,10 counts as star: next", "0 0 *,10 * 2", date(2026, 1, 6, 0, 0, 0, 0, utc), date(2026, 1, 13, 0, 0, 0, 0, utc)},
		{"dow */2 counts as star", "0 0 13 * */2", date(2026, 1, 14, 0, 0, 0, 0, utc), date(2026, 6, 13, 0, 0, 0, 0, utc)},
		{"@yearly", "@yearly", date(2026, 5, 4, 0, 0, 0, 0, utc), date(2027, 1, 1, 0, 0, 0, 0, utc)},
		{"@annually", "@annually", date(2026, 5, 4, 0, 0, 0, 0, utc), date(2027, 1, 1, 0, 0, 0, 0, utc)},
		{"@midnight", "@midnight", date(2026, 5, 4, 0, 0, 0, 0, utc), date(2026, 5, 5, 0, 0, 0, 0, utc)},
		{"dom */2 counts as star: and", "0 0 */2 * FRI", date(2026, 4, 11, 0, 0, 0, 0, utc), date(2026, 4, 17, 0, 0, 0, 0, utc)},
		{"Feb 31 never", "0 0 31 2 *", date(2026, 1, 1, 0, 0, 0, 0, utc), time.Time{}},
		{"Apr 31 never", "0 0 31 4 *", date(2026, 1, 1, 0, 0, 0, 0, utc), time.Time{}},
		{"Feb 30 or Monday", "0 0 30 2 MON", date(2026, 1, 1, 0, 0, 0, 0, utc), date(2026, 2, 2, 0, 0, 0, 0, utc)},
		{"31st skips short months", "0 0 31 * *", date(2026, 4, 1, 0, 0, 0, 0, utc), date(2026, 5, 31, 0, 0, 0, 0, utc)},
		{"leap day", "0 0 29 2 *", date(2026, 3, 1, 0, 0, 0, 0, utc), date(2028, 2, 29, 0, 0, 0, 0, utc)},
		{"leap day across 2100", "0 0 29 2 *", date(2097, 3, 1, 0, 0, 0, 0, utc), date(2104, 2, 29, 0, 0, 0, 0, utc)},
		{"year rollover", "0 0 1 1 *", date(2026, 12, 31, 23, 59, 0, 0, utc), date(2027, 1, 1, 0, 0, 0, 0, utc)},
		{"year rollover same time", "59 23 31 12 *", date(2026, 12, 31, 23, 59, 0, 0, utc), date(2027, 12, 31, 23, 59, 0, 0, utc)},
		{"every minute year end", "* * * * *", date(2026, 12, 31, 23, 59, 30, 0, utc), date(2027, 1, 1, 0, 0, 0, 0, utc)},

		// Wall clock of the argument's location.
		{"Berlin wall clock", "0 22 * * SAT", date(2026, 5, 4, 12, 0, 0, 0, berlin), date(2026, 5, 9, 20, 0, 0, 0, utc)},
		{"argument in UTC is UTC", "0 22 * * SAT", date(2026, 5, 9, 21, 0, 0, 0, utc), date(2026, 5, 9, 22, 0, 0, 0, utc)},
		// Spring forward in Berlin: 02:00 CET becomes 03:00 CEST (01:00Z).
		{"gap fires after it", "30 2 * * *", date(2026, 3, 28, 12, 0, 0, 0, berlin), date(2026, 3, 29, 1, 0, 0, 0, utc)},
		{"after the gap firing", "30 2 * * *", date(2026, 3, 29, 3, 0, 0, 0, berlin), date(2026, 3, 30, 0, 30, 0, 0, utc)},
		{"every minute over the gap", "* * * * *", date(2026, 3, 29, 1, 59, 0, 0, berlin), date(2026, 3, 29, 1, 0, 0, 0, utc)},
		{"every minute after the gap", "* * * * *", date(2026, 3, 29, 3, 0, 0, 0, berlin), date(2026, 3, 29, 1, 1, 0, 0, utc)},
		{"hourly over the gap", "0 * * * *", date(2026, 3, 29, 1, 30, 0, 0, berlin), date(2026, 3, 29, 1, 0, 0, 0, utc)},
		// Fall back in Berlin: 03:00 CEST (01:00Z) becomes 02:00 CET.
		{"repeat fires once", "30 2 * * *", date(2026, 10, 25, 0, 0, 0, 0, berlin), date(2026, 10, 25, 0, 30, 0, 0, utc)},
		{"no second firing", "30 2 * * *", date(2026, 10, 25, 0, 30, 0, 0, utc).In(berlin), date(2026, 10, 26, 1, 30, 0, 0, utc)},
		{"every minute in first pass", "* * * * *", date(2026, 10, 25, 0, 10, 0, 0, utc).In(berlin), date(2026, 10, 25, 0, 11, 0, 0, utc)},
		{"every minute skips the repeat", "* * * * *", date(2026, 10, 25, 0, 59, 0, 0, utc).In(berlin), date(2026, 10, 25, 2, 0, 0, 0, utc)},
		{"every minute inside the repeat", "* * * * *", date(2026, 10, 25, 1, 10, 0, 0, utc).In(berlin), date(2026, 10, 25, 2, 0, 0, 0, utc)},
		// New York springs forward on 8 March 2026 (02:00 EST -> 03:00 EDT).
		{"New York gap", "30 2 8 3 *", date(2026, 3, 1, 0, 0, 0, 0, ny), date(2026, 3, 8, 7, 0, 0, 0, utc)},
		{"New York summer", "0 22 * * *", date(2026, 7, 1, 23, 0, 0, 0, ny), date(2026, 7, 3, 2, 0, 0, 0, utc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustCron(t, tt.cron).Next(tt.from)
			if !got.Equal(tt.want) {
				t.Fatalf("%q.Next(%v) = %v, want %v", tt.cron, tt.from, got, tt.want)
			}
			if !got.IsZero() && got.Location() != tt.from.Location() {
				t.Errorf("result in %v, want %v", got.Location(), tt.from.Location())
			}
		})
	}
}

func TestCronNextNil(t *testing.T) {
	var c *Cron
	if got := c.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); !got.IsZero() {
		t.Errorf("nil.Next = %v, want zero", got)
	}
	if got := (&Cron{}).Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); !got.IsZero() {
		t.Errorf("zero Cron.Next = %v, want zero", got)
	}
}

func BenchmarkCronNextNever(b *testing.B) {
	c := mustCron(b, "0 0 31 2 *")
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		c.Next(from)
	}
}

// TestCronNextAgainstScan compares Next in UTC with a minute-by-minute scan.
func TestCronNextAgainstScan(t *testing.T) {
	exprs := []string{
		"* * * * *", "0 22 * * SAT", "*/7 */5 * * *", "59 23 * * *", "0 0 1 * *", "0 0 31 * *",
		"15,45 3-5 * * MON-FRI", "0 12 13 * FRI", "0 12 1-7 * MON", "0 12 */10 * SUN", "0 0 * * *",
		"30 2 29 2 *", "0-59/20 0-23/6 1,15,31 JAN,APR,DEC *", "5 4 * * 0,6",
	}
	starts := []time.Time{
		time.Date(2026, 1, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 2, 28, 12, 34, 0, 0, time.UTC),
		time.Date(2027, 12, 31, 23, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 28, 23, 59, 0, 0, time.UTC),
	}
	matches := func(c *Cron, m time.Time) bool {
		dom := c.dom&(1<<uint(m.Day())) != 0
		dow := c.dow&(1<<uint(m.Weekday())) != 0
		day := dom || dow
		if c.domAny || c.dowAny {
			day = dom && dow
		}
		return day && c.month&(1<<uint(m.Month())) != 0 && c.hour&(1<<uint(m.Hour())) != 0 && c.minute&(1<<uint(m.Minute())) != 0
	}
	for _, expr := range exprs {
		c := mustCron(t, expr)
		for _, from := range starts {
			var want time.Time
			for m := from.Truncate(time.Minute).Add(time.Minute); m.Before(from.AddDate(4, 1, 0)); m = m.Add(time.Minute) {
				if matches(c, m) {
					want = m
					break
				}
			}
			if got := c.Next(from); !got.Equal(want) {
				t.Errorf("%q.Next(%v) = %v, scan found %v", expr, from, got, want)
			}
		}
	}
}
