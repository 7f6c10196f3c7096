package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Cron is a parsed 5-field cron expression: minute, hour, day of month,
// month and day of week. Build one with ParseCron; the zero value matches
// nothing.
type Cron struct {
	src    string // the expression as written, fields separated by one space
	minute uint64 // bit i set: minute i matches (0-59)
	hour   uint64 // bit i: hour i (0-23)
	dom    uint64 // bit i: day of month i (1-31)
	month  uint64 // bit i: month i (1-12)
	dow    uint64 // bit i: weekday i, Sunday = 0 (0-6)
	// domAny and dowAny record a day-of-month or day-of-week field whose
	// first character is "*" ("*", "*/2", "*,10"), as Vixie cron and cronie
	// flag them. Only when neither is does the OR rule apply.
	domAny, dowAny bool
}

// cronExample ends field-count errors so the user sees what to write.
const cronExample = `e.g. "0 22 * * SAT" (22:00 every Saturday)`

// cronMacros are the @ shorthands ParseCron accepts.
var cronMacros = map[string]string{
	"@hourly":   "0 * * * *",
	"@daily":    "0 0 * * *",
	"@weekly":   "0 0 * * 0",
	"@monthly":  "0 0 1 * *",
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@midnight": "0 0 * * *",
}

// cronField describes one of the five fields.
type cronField struct {
	name     string
	min, max int            // values that may be written
	anyMax   int            // the top of the range "*" stands for
	names    map[string]int // upper-case names allowed in place of numbers
}

var cronFields = [5]cronField{
	{name: "minute", min: 0, max: 59, anyMax: 59},
	{name: "hour", min: 0, max: 23, anyMax: 23},
	{name: "day-of-month", min: 1, max: 31, anyMax: 31},
	{name: "month", min: 1, max: 12, anyMax: 12, names: map[string]int{
		"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
		"JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12,
	}},
	// 7 is Sunday as well as 0, so "*" need only cover 0-6.
	{name: "day-of-week", min: 0, max: 7, anyMax: 6, names: map[string]int{
		"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6,
	}},
}

// ParseCron parses a 5-field cron expression: minute (0-59), hour (0-23),
// day of month (1-31), month (1-12 or JAN-DEC) and day of week (0-7 or
// SUN-SAT, 0 and 7 both Sunday), separated by spaces. A field is "*", a
// number or name, a range "a-b", a step "*/n" or "a-b/n", or a comma list of
// those. Names are case-insensitive; a weekday range may end on Sunday
// ("FRI-SUN"). The shorthands @hourly, @daily, @midnight, @weekly,
// @monthly, @yearly and @annually are accepted; six-field expressions and
// @reboot are not.
//
// Day of month and day of week follow Vixie cron (and cronie): when
// neither field starts with "*", a day matches when either does; when one
// does ("*", "*/2", "*,10"), both must. So "0 0 */2 * MON" fires on Mondays
// that are odd days of the month, and "0 0 *,10 * TUE" on every Tuesday.
//
// Errors name the field, e.g. "hour field: 25 out of range 0-23".
func ParseCron(s string) (*Cron, error) {
	text := strings.TrimSpace(s)
	if strings.HasPrefix(text, "@") {
		expanded, ok := cronMacros[strings.ToLower(text)]
		if !ok {
			return nil, fmt.Errorf("unknown shorthand %q; use @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually or 5 fields, %s", text, cronExample)
		}
		c, err := ParseCron(expanded)
		if err != nil {
			return nil, err
		}
		c.src = strings.ToLower(text)
		return c, nil
	}
	parts := strings.Fields(text)
	if len(parts) == 0 {
		return nil, fmt.Errorf("empty cron expression; write 5 fields (minute hour day-of-month month day-of-week), %s", cronExample)
	}
	if len(parts) != 5 {
		return nil, fmt.Errorf("cron expression %q has %d fields, want 5 (minute hour day-of-month month day-of-week), %s", text, len(parts), cronExample)
	}
	c := &Cron{src: strings.Join(parts, " ")}
	sets := [5]*uint64{&c.minute, &c.hour, &c.dom, &c.month, &c.dow}
	for i, part := range parts {
		bits, err := cronFields[i].parse(part)
		if err != nil {
			return nil, fmt.Errorf("%s field: %w", cronFields[i].name, err)
		}
		*sets[i] = bits
	}
	if c.dow&(1<<7) != 0 {
		c.dow = c.dow&^(1<<7) | 1
	}
	c.domAny = isAny(parts[2])
	c.dowAny = isAny(parts[4])
	return c, nil
}

// String returns the expression as parsed, fields separated by one space
// (or the @ shorthand it was written as).
func (c *Cron) String() string {
	if c == nil {
		return ""
	}
	return c.src
}

// isAny reports whether a day field counts as unrestricted for the
// day-of-month/day-of-week rule: Vixie cron's DOM_STAR/DOW_STAR, set when
// the field's first character is "*".
func isAny(field string) bool { return strings.HasPrefix(field, "*") }

// parse returns the set of values a field's text stands for.
func (f cronField) parse(text string) (uint64, error) {
	var bits uint64
	for _, item := range strings.Split(text, ",") {
		if item == "" {
			return 0, fmt.Errorf("empty item in list %q", text)
		}
		lo, hi, step, err := f.parseItem(item)
		if err != nil {
			return 0, err
		}
		for v := lo; v <= hi; v += step {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

// parseItem parses one list item: "*", "v", "a-b", "*/n" or "a-b/n".
func (f cronField) parseItem(item string) (lo, hi, step int, err error) {
	rangeText, stepText, hasStep := strings.Cut(item, "/")
	step = 1
	if hasStep {
		n, err := strconv.Atoi(stepText)
		switch {
		case digits(stepText) != len(stepText) || stepText == "" || err != nil:
			return 0, 0, 0, fmt.Errorf("bad step %q in %q: want a whole number, e.g. \"*/15\"", stepText, item)
		case n < 1:
			return 0, 0, 0, fmt.Errorf("step in %q must be at least 1", item)
		}
		// A step past the end of the range only ever reaches the first
		// value; capping it keeps the loop in parse from overflowing.
		step = min(n, f.max+1)
	}
	if rangeText == "*" {
		return f.min, f.anyMax, step, nil
	}
	loText, hiText, isRange := strings.Cut(rangeText, "-")
	if lo, err = f.value(loText); err != nil {
		return 0, 0, 0, err
	}
	if !isRange {
		if hasStep {
			return 0, 0, 0, fmt.Errorf("step in %q needs a range or *, e.g. \"*/%s\" or \"%s-%d/%s\"", item, stepText, loText, f.max, stepText)
		}
		return lo, lo, step, nil
	}
	if hi, err = f.value(hiText); err != nil {
		return 0, 0, 0, err
	}
	if f.names != nil && f.max == 7 && hi == 0 && lo > 0 {
		hi = 7 // "FRI-SUN": Sunday as 7 ends a weekday range
	}
	if lo > hi {
		return 0, 0, 0, fmt.Errorf("range %q goes backwards; write the smaller value first", rangeText)
	}
	return lo, hi, step, nil
}

// value parses a number or, where the field allows them, a name.
func (f cronField) value(text string) (int, error) {
	if text == "" {
		return 0, errors.New("missing value; want " + f.want())
	}
	if v, ok := f.names[strings.ToUpper(text)]; ok {
		return v, nil
	}
	if digits(text) != len(text) {
		if f.names != nil {
			return 0, fmt.Errorf("unknown name %q; want %s", text, f.want())
		}
		return 0, fmt.Errorf("%q is not a number; want %s", text, f.want())
	}
	v, err := strconv.Atoi(text)
	if err != nil || v < f.min || v > f.max {
		return 0, fmt.Errorf("%s out of range %d-%d", text, f.min, f.max)
	}
	return v, nil
}

// want describes what a field accepts, e.g. "1-12 or JAN-DEC".
func (f cronField) want() string {
	w := fmt.Sprintf("%d-%d", f.min, f.max)
	switch f.max {
	case 12:
		w += " or JAN-DEC"
	case 7:
		w += " or SUN-SAT"
	}
	return w
}
