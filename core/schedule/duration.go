package schedule

import (
	"fmt"
	"strings"
	"time"
)

// day and week are the units "d" and "w" that ParseDuration adds to Go's.
// They are fixed lengths of elapsed time (24h and 7×24h), not calendar days.
const (
	day  = 24 * time.Hour
	week = 7 * day
)

// durationExample ends every duration error so the user sees what to write.
const durationExample = `e.g. "90s", "6h", "3d" or "1h30m"`

// durationUnits are the units ParseDuration accepts. A unit is all the
// letters after a number, so "ms" is never read as "m".
var durationUnits = map[string]time.Duration{
	"ns": time.Nanosecond,
	"us": time.Microsecond,
	"µs": time.Microsecond, // U+00B5 micro sign
	"μs": time.Microsecond, // U+03BC Greek mu
	"ms": time.Millisecond,
	"s":  time.Second,
	"m":  time.Minute,
	"h":  time.Hour,
	"d":  day,
	"w":  week,
}

// ParseDuration parses durations as users write them in config: Go units
// (ns, us, ms, s, m, h) plus "d" (24h) and "w" (7d), combined and optionally
// signed and fractional: "90s", "6h", "3d", "1w", "1h30m", "2d12h", "1.5h",
// "-1d". A bare "0" is zero. The empty string is an error. Errors say what is
// wrong and give an example.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty duration; write a number and a unit, %s", durationExample)
	}
	bad := func(format string, args ...any) (time.Duration, error) {
		return 0, fmt.Errorf("invalid duration %q: %s; write %s", s, fmt.Sprintf(format, args...), durationExample)
	}
	if strings.ContainsAny(s, " \t\n") {
		return bad("spaces are not allowed")
	}
	rest := s
	neg := false
	if rest[0] == '-' || rest[0] == '+' {
		neg = rest[0] == '-'
		rest = rest[1:]
	}
	if rest == "0" {
		return 0, nil
	}
	if rest == "" {
		return bad("sign without a number")
	}
	const limit = uint64(1) << 63
	var total uint64
	for rest != "" {
		whole, frac, unitText, tail := splitTerm(rest)
		if whole == "" && frac == "" {
			return bad("expected a number at %q", rest)
		}
		if unitText == "" {
			return bad("missing unit after %q", whole+frac)
		}
		unit, ok := durationUnits[unitText]
		if !ok {
			return bad("unknown unit %q (units are ns, us, ms, s, m, h, d and w)", unitText)
		}
		v, ok := termValue(whole, frac, unit)
		if !ok || v > limit-total {
			return bad("too long (the limit is about 292 years)")
		}
		total += v
		rest = tail
	}
	if total == limit && !neg {
		return bad("too long (the limit is about 292 years)")
	}
	if neg {
		return -time.Duration(total), nil
	}
	return time.Duration(total), nil
}

// splitTerm splits one "<number><unit>" term off the front of s: the digits
// before and after an optional '.', the unit (the letters that follow), and
// what is left.
func splitTerm(s string) (whole, frac, unit, rest string) {
	i := digits(s)
	whole, s = s[:i], s[i:]
	if strings.HasPrefix(s, ".") {
		j := digits(s[1:])
		frac, s = "."+s[1:1+j], s[1+j:]
		if j == 0 && whole == "" {
			frac = ""
		}
	}
	j := 0
	for j < len(s) && isUnitByte(s[j]) {
		j++
	}
	return whole, frac, s[:j], s[j:]
}

// termValue returns (whole.frac)×unit in nanoseconds, or false on overflow.
// frac is empty or starts with '.'.
func termValue(whole, frac string, unit time.Duration) (uint64, bool) {
	const limit = uint64(1) << 63
	var v uint64
	for i := 0; i < len(whole); i++ {
		if v > (limit-1)/10 {
			return 0, false
		}
		v = v*10 + uint64(whole[i]-'0')
	}
	u := uint64(unit)
	if v > limit/u {
		return 0, false
	}
	v *= u
	if len(frac) > 1 {
		var f, scale uint64 = 0, 1
		for i := 1; i < len(frac) && f <= (limit-1)/10 && scale <= (limit-1)/10; i++ {
			f = f*10 + uint64(frac[i]-'0')
			scale *= 10
		}
		add := uint64(float64(f) * (float64(u) / float64(scale)))
		if add > limit-v {
			return 0, false
		}
		v += add
	}
	return v, true
}

// digits returns how many ASCII digits s starts with.
func digits(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isUnitByte reports whether c can be part of a unit: an ASCII letter or a
// byte of a multi-byte character such as "µ".
func isUnitByte(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80 }
