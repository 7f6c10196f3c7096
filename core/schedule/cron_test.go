package schedule

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// set returns a bit set with the given values.
func set(values ...int) uint64 {
	var b uint64
	for _, v := range values {
		b |= 1 << uint(v)
	}
	return b
}

// span returns a bit set with lo..hi stepping by step.
func span(lo, hi, step int) uint64 {
	var b uint64
	for v := lo; v <= hi; v += step {
		b |= 1 << uint(v)
	}
	return b
}

func TestParseCron(t *testing.T) {
	all := func(src string) Cron {
		return Cron{src: src, minute: span(0, 59, 1), hour: span(0, 23, 1), dom: span(1, 31, 1),
			month: span(1, 12, 1), dow: span(0, 6, 1), domAny: true, dowAny: true}
	}
	with := func(c Cron, f func(*Cron)) Cron { f(&c); return c }
	tests := []struct {
		in   string
		want Cron
	}{
		{"* * * * *", all("* * * * *")},
		{"  *  *\t* * *  ", all("* * * * *")},
		{"0 22 * * SAT", with(all("0 22 * * SAT"), func(c *Cron) {
			c.minute, c.hour, c.dow, c.dowAny = set(0), set(22), set(6), false
		})},
		{"0 22 * * sat", with(all("0 22 * * sat"), func(c *Cron) {
			c.minute, c.hour, c.dow, c.dowAny = set(0), set(22), set(6), false
		})},
		{"*/15 0-6 1,15 JAN-MAR Mon-Fri", Cron{src: "*/15 0-6 1,15 JAN-MAR Mon-Fri",
			minute: set(0, 15, 30, 45), hour: span(0, 6, 1), dom: set(1, 15), month: set(1, 2, 3), dow: span(1, 5, 1)}},
		{"0-30/10 9-17/4 */10 */3 *", Cron{src: "0-30/10 9-17/4 */10 */3 *",
			minute: set(0, 10, 20, 30), hour: set(9, 13, 17), dom: set(1, 11, 21, 31), month: set(1, 4, 7, 10),
			dow: span(0, 6, 1), domAny: true, dowAny: true}},
		{"0 0 * * 7", with(all("0 0 * * 7"), func(c *Cron) {
			c.minute, c.hour, c.dow, c.dowAny = set(0), set(0), set(0), false
		})},
		{"0 0 * * 5-7", with(all("0 0 * * 5-7"), func(c *Cron) {
			c.minute, c.hour, c.dow, c.dowAny = set(0), set(0), set(0, 5, 6), false
		})},
		{"0 0 * * FRI-SUN", with(all("0 0 * * FRI-SUN"), func(c *Cron) {
			c.minute, c.hour, c.dow, c.dowAny = set(0), set(0), set(0, 5, 6), false
		})},
		{"0 0 * * sun,wed", with(all("0 0 * * sun,wed"), func(c *Cron) {
			c.minute, c.hour, c.dow, c.dowAny = set(0), set(0), set(0, 3), false
		})},
		{"0 0 */1 * */2", with(all("0 0 */1 * */2"), func(c *Cron) {
			c.minute, c.hour, c.dow, c.dowAny = set(0), set(0), set(0, 2, 4, 6), true
		})},
		{"0 0 13 * FRI", with(all("0 0 13 * FRI"), func(c *Cron) {
			c.minute, c.hour, c.dom, c.dow, c.domAny, c.dowAny = set(0), set(0), set(13), set(5), false, false
		})},
		{"5 4 * dec,Jan *", with(all("5 4 * dec,Jan *"), func(c *Cron) {
			c.minute, c.hour, c.month = set(5), set(4), set(1, 12)
		})},
		{"59 23 31 12 *", with(all("59 23 31 12 *"), func(c *Cron) {
			c.minute, c.hour, c.dom, c.month, c.domAny = set(59), set(23), set(31), set(12), false
		})},
		{"5-59/9223372036854775807 * * * *", with(all("5-59/9223372036854775807 * * * *"), func(c *Cron) { c.minute = set(5) })},
		{"*/60 */24 * * *", with(all("*/60 */24 * * *"), func(c *Cron) { c.minute, c.hour = set(0), set(0) })},
		{"@hourly", with(all("@hourly"), func(c *Cron) { c.minute = set(0) })},
		{"@daily", with(all("@daily"), func(c *Cron) { c.minute, c.hour = set(0), set(0) })},
		{"@WEEKLY", with(all("@weekly"), func(c *Cron) {
			c.minute, c.hour, c.dow, c.dowAny = set(0), set(0), set(0), false
		})},
		{"@monthly", with(all("@monthly"), func(c *Cron) {
			c.minute, c.hour, c.dom, c.domAny = set(0), set(0), set(1), false
		})},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCron(tt.in)
			if err != nil {
				t.Fatalf("ParseCron(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(&tt.want, got, cmp.AllowUnexported(Cron{})); diff != "" {
				t.Errorf("ParseCron(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if got.String() != tt.want.src {
				t.Errorf("String() = %q, want %q", got.String(), tt.want.src)
			}
		})
	}
}

func TestParseCronErrors(t *testing.T) {
	const fields = `want 5 (minute hour day-of-month month day-of-week), e.g. "0 22 * * SAT" (22:00 every Saturday)`
	tests := []struct{ in, wantErr string }{
		{"60 * * * *", "minute field: 60 out of range 0-59"},
		{"* 25 * * *", "hour field: 25 out of range 0-23"},
		{"* * 0 * *", "day-of-month field: 0 out of range 1-31"},
		{"* * 32 * *", "day-of-month field: 32 out of range 1-31"},
		{"* * * 0 *", "month field: 0 out of range 1-12"},
		{"* * * 13 *", "month field: 13 out of range 1-12"},
		{"* * * * 8", "day-of-week field: 8 out of range 0-7"},
		{"* 1-24 * * *", "hour field: 24 out of range 0-23"},
		{"99999999999999999999 * * * *", "minute field: 99999999999999999999 out of range 0-59"},
		{"*/0 * * * *", `minute field: step in "*/0" must be at least 1`},
		{"*/x * * * *", `minute field: bad step "x" in "*/x": want a whole number, e.g. "*/15"`},
		{"*/ * * * *", `minute field: bad step "" in "*/": want a whole number, e.g. "*/15"`},
		{"*/-5 * * * *", `minute field: bad step "-5" in "*/-5": want a whole number, e.g. "*/15"`},
		{"*/5/2 * * * *", `minute field: bad step "5/2" in "*/5/2": want a whole number, e.g. "*/15"`},
		{"5/15 * * * *", `minute field: step in "5/15" needs a range or *, e.g. "*/15" or "5-59/15"`},
		{"* * * FOO *", `month field: unknown name "FOO"; want 1-12 or JAN-DEC`},
		{"* * * * MOND", `day-of-week field: unknown name "MOND"; want 0-7 or SUN-SAT`},
		{"* * * * JAN", `day-of-week field: unknown name "JAN"; want 0-7 or SUN-SAT`},
		{"* MON * * *", `hour field: "MON" is not a number; want 0-23`},
		{"* * * * MON-", "day-of-week field: missing value; want 0-7 or SUN-SAT"},
		{"-5 * * * *", "minute field: missing value; want 0-59"},
		{"* * * * 5-1", `day-of-week field: range "5-1" goes backwards; write the smaller value first`},
		{"30-10 * * * *", `minute field: range "30-10" goes backwards; write the smaller value first`},
		{"* * * DEC-JAN *", `month field: range "DEC-JAN" goes backwards; write the smaller value first`},
		{"1,,2 * * * *", `minute field: empty item in list "1,,2"`},
		{"1, * * * *", `minute field: empty item in list "1,"`},
		{"?", `cron expression "?" has 1 fields, ` + fields},
		{"0 22 * *", `cron expression "0 22 * *" has 4 fields, ` + fields},
		{"0 0 22 * * SAT", `cron expression "0 0 22 * * SAT" has 6 fields, ` + fields},
		{"", `empty cron expression; write 5 fields (minute hour day-of-month month day-of-week), e.g. "0 22 * * SAT" (22:00 every Saturday)`},
		{"   ", `empty cron expression; write 5 fields (minute hour day-of-month month day-of-week), e.g. "0 22 * * SAT" (22:00 every Saturday)`},
		{"@reboot", `unknown shorthand "@reboot"; use @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually or 5 fields, e.g. "0 22 * * SAT" (22:00 every Saturday)`},
		{"@every 1h", `unknown shorthand "@every 1h"; use @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually or 5 fields, e.g. "0 22 * * SAT" (22:00 every Saturday)`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := ParseCron(tt.in)
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("ParseCron(%q) = %v, %v; want error %q", tt.in, c, err, tt.wantErr)
			}
		})
	}
}

func FuzzParseCron(f *testing.F) {
	for _, s := range []string{
		"* * * * *", "0 22 * * SAT", "*/15 0-6 1,15 JAN-MAR MON-FRI", "0 0 31 2 *",
		"0 0 29 2 *", "30 2 * * SUN", "0 0 13 * FRI", "5-7/2 * * * FRI-SUN", "@daily", "1,2,,3 * * * *",
	} {
		f.Add(s, int64(1774746000)) // 2026-03-29T01:00:00Z, a DST change in Europe
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	const years200 = 200 * 365 * 24 * 3600
	f.Fuzz(func(t *testing.T, s string, unix int64) {
		c, err := ParseCron(s)
		if err != nil {
			if c != nil {
				t.Fatalf("ParseCron(%q) returned a Cron with error %v", s, err)
			}
			return
		}
		again, err := ParseCron(c.String())
		if err != nil {
			t.Fatalf("ParseCron(%q).String() = %q does not parse: %v", s, c.String(), err)
		}
		if diff := cmp.Diff(c, again, cmp.AllowUnexported(Cron{})); diff != "" {
			t.Fatalf("reparsing %q changed it (-first +second):\n%s", c.String(), diff)
		}
		base := time.Unix(1e9+unix%years200, 0)
		for _, from := range []time.Time{base.UTC(), base.In(berlin)} {
			next := c.Next(from)
			if !next.IsZero() && !next.After(from) {
				t.Fatalf("ParseCron(%q).Next(%v) = %v, not after", s, from, next)
			}
		}
	})
}
