package debversion

import "strings"

// Compare returns -1, 0 or +1 as a is older than, equal to or newer than b.
//
// It gives the same answer as `dpkg --compare-versions` for every pair of
// valid versions (see Valid). Invalid versions never make it panic: they are
// split into parts as leniently as dpkg's parser would and compared the same
// way, so Compare stays a total order on all strings.
func Compare(a, b string) int {
	va, vb := split(a), split(b)
	if c := compareEpoch(va.epoch, vb.epoch); c != 0 {
		return c
	}
	if c := verrevcmp(va.upstream, vb.upstream); c != 0 {
		return c
	}
	return verrevcmp(va.revision, vb.revision)
}

// parts is a version split into its three parts, without allocating: each is
// a substring of the original.
type parts struct {
	epoch    string // decimal digits, or "" for 0
	upstream string
	revision string
}

// split separates s into epoch, upstream version and revision as dpkg's
// parseversion does: leading and trailing blanks are ignored, the epoch ends
// at the first colon and the revision starts after the last hyphen. A prefix
// before the first colon that is not a number is kept in the upstream
// version (dpkg rejects such versions; Valid reports them).
func split(s string) parts {
	s = trimBlanks(s)
	var p parts
	if i := strings.IndexByte(s, ':'); i > 0 && allDigits(s[:i]) {
		p.epoch, s = s[:i], s[i+1:]
	}
	p.upstream = s
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		p.upstream, p.revision = s[:i], s[i+1:]
	}
	return p
}

// compareEpoch compares two decimal digit strings by value, however long.
func compareEpoch(a, b string) int {
	a, b = trimZeros(a), trimZeros(b)
	switch {
	case len(a) != len(b):
		return sign(len(a) - len(b))
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// verrevcmp is dpkg's comparison of an upstream version or a revision
// (lib/dpkg/version.c).
func verrevcmp(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		// Non-digit prefix, character by character.
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			ac, bc := order(a, i), order(b, j)
			if ac != bc {
				return sign(ac - bc)
			}
			i++
			j++
		}
		// Digit run, numerically: skip leading zeros, then the longer run
		// wins, else the first differing digit.
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		firstDiff := 0
		for i < len(a) && j < len(b) && isDigit(a[i]) && isDigit(b[j]) {
			if firstDiff == 0 {
				firstDiff = int(a[i]) - int(b[j])
			}
			i++
			j++
		}
		if i < len(a) && isDigit(a[i]) {
			return 1
		}
		if j < len(b) && isDigit(b[j]) {
			return -1
		}
		if firstDiff != 0 {
			return sign(firstDiff)
		}
	}
	return 0
}

// order is the weight of s[i] in a non-digit run: '~' sorts before the end
// of the string, which sorts before letters, which sort before everything
// else. Bytes of 0x80 and above weigh what they do in dpkg built with a
// signed char (c + 256 for a negative c), that is their own value: after
// letters and before other ASCII characters.
func order(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	c := s[i]
	switch {
	case isDigit(c):
		return 0
	case isAlpha(c):
		return int(c)
	case c == '~':
		return -1
	case c >= 0x80:
		return int(c)
	}
	return int(c) + 256
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func trimZeros(s string) string {
	for len(s) > 0 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

func trimBlanks(s string) string {
	for len(s) > 0 && isBlank(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isBlank(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
