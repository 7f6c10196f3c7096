package schedule

import (
	"fmt"
	"strconv"
	"strings"
)

// Clock is a time of day, in whatever location it is used with.
type Clock struct{ Hour, Minute int }

// ParseClock parses a 24-hour time of day written "HH:MM" or "H:MM", such as
// "22:00" or "7:30". Hours run 0-23 and minutes 0-59.
func ParseClock(s string) (Clock, error) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(hh) < 1 || len(hh) > 2 || len(mm) != 2 || digits(hh) != len(hh) || digits(mm) != 2 {
		return Clock{}, fmt.Errorf("invalid time of day %q: write HH:MM on a 24-hour clock, e.g. \"22:00\" or \"7:30\"", s)
	}
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	if h > 23 {
		return Clock{}, fmt.Errorf("invalid time of day %q: hour %d out of range 0-23", s, h)
	}
	if m > 59 {
		return Clock{}, fmt.Errorf("invalid time of day %q: minute %d out of range 0-59", s, m)
	}
	return Clock{Hour: h, Minute: m}, nil
}

// String returns the clock as "HH:MM", e.g. "07:30".
func (c Clock) String() string {
	return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute)
}
