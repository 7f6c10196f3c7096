package version

import (
	"fmt"
	"strings"
)

// compareDotted orders dotted versions segment by segment, left to right:
//
//   - A segment of ASCII digits only is a number. Numbers compare by value,
//     however long: leading zeros do not count (1.02 = 1.2).
//   - Any other segment (3-beta, rc1, 0x1A) is text. Text compares byte by
//     byte, and a number sorts before text (1.2.3 < 1.2.rc1).
//   - A missing segment counts as the number 0, so versions with different
//     segment counts compare by the segments they have: 1.2 = 1.2.0 <
//     1.2.0.1.
//
// An empty version, or one with an empty segment (1..2, 1.2.), is an
// error: it is not a dotted version.
func compareDotted(a, b string) (int, error) {
	sa, err := dottedSegments(a)
	if err != nil {
		return 0, err
	}
	sb, err := dottedSegments(b)
	if err != nil {
		return 0, err
	}
	for i := 0; i < max(len(sa), len(sb)); i++ {
		if c := compareSegment(segmentAt(sa, i), segmentAt(sb, i)); c != 0 {
			return c, nil
		}
	}
	return 0, nil
}

// dottedSegments splits v at its dots.
func dottedSegments(v string) ([]string, error) {
	segs := strings.Split(v, ".")
	for _, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("dotted version %q: empty segment", v)
		}
	}
	return segs, nil
}

// segmentAt returns segment i, or "0" past the end.
func segmentAt(segs []string, i int) string {
	if i < len(segs) {
		return segs[i]
	}
	return "0"
}

// compareSegment orders two segments: numbers by value, before text; text
// byte by byte.
func compareSegment(a, b string) int {
	na, nb := isNumber(a), isNumber(b)
	switch {
	case na && nb:
		return compareNumbers(strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0"))
	case na:
		return -1
	case nb:
		return 1
	}
	return strings.Compare(a, b)
}

// compareNumbers orders two digit strings without leading zeros: the
// longer is larger, equal lengths compare byte by byte.
func compareNumbers(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func isNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
