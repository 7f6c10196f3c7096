package version

import (
	"fmt"
	"math"
	"strings"

	"golang.org/x/text/cases"
)

// This file orders versions as winget does: AppInstaller::Utility::Version
// in microsoft/winget-cli src/AppInstallerSharedLib/Versions.cpp (read at
// commit fa3d9e5, August 2026), with the cases of its tests in
// src/AppInstallerCLITests/Versions.cpp as the table in winget_test.go.

// wingetSpace is what winget trims around a version and each of its parts
// (AICLI_SPACE_CHARS).
const wingetSpace = " \f\n\r\t\v"

// wingetApprox is a winget version's approximate comparator: "< 1.2" sorts
// just below 1.2, "> 1.2" just above (winget shows such versions for
// installed apps whose registry version maps to a range).
type wingetApprox int

const (
	approxNone wingetApprox = iota
	approxLess
	approxGreater
)

// wingetPart is one dot-separated part: a leading unsigned integer and the
// rest of the part (Other), compared case-folded.
type wingetPart struct {
	integer uint64
	other   string
	folded  string
}

// wingetVersion is a parsed winget version.
type wingetVersion struct {
	approx wingetApprox
	parts  []wingetPart
}

var foldCase = cases.Fold()

// compareWinget orders two versions as winget does:
//
//   - Spaces around the version and its parts do not count; a prefix before
//     the first digit is dropped when no dot comes first ("v1.2", "Version
//     1.2" = "1.2").
//   - Each dot-separated part is a leading number and an optional rest
//     ("3-beta" is 3 and "-beta"). Numbers compare by value; with equal
//     numbers, a part with a rest sorts before one without (1.0-rc <
//     1.0), and two rests compare case-insensitively, byte by byte.
//   - Missing and trailing zero parts do not count: 1.0 = 1.0.0.
//   - "Latest" sorts above every other version and "Unknown" below; "< V"
//     sorts just below V and "> V" just above.
//
// Only "< Unknown" and "> Unknown" are errors, as in winget.
func compareWinget(a, b string) (int, error) {
	va, err := parseWinget(a)
	if err != nil {
		return 0, err
	}
	vb, err := parseWinget(b)
	if err != nil {
		return 0, err
	}
	switch {
	case va.less(vb):
		return -1, nil
	case vb.less(va):
		return 1, nil
	}
	return 0, nil
}

// parseWinget parses v as winget's Version::Assign does.
func parseWinget(v string) (wingetVersion, error) {
	var w wingetVersion
	base := strings.Trim(v, wingetSpace)
	switch {
	case strings.HasPrefix(base, "< "):
		w.approx, base = approxLess, base[2:]
	case strings.HasPrefix(base, "> "):
		w.approx, base = approxGreater, base[2:]
	}
	digit, dot := strings.IndexAny(base, "0123456789"), strings.IndexByte(base, '.')
	if digit >= 0 && (dot < 0 || digit < dot) {
		base = base[digit:]
	}
	for pos := 0; pos < len(base); {
		end := strings.IndexByte(base[pos:], '.')
		if end < 0 {
			end = len(base) - pos
		}
		w.parts = append(w.parts, parseWingetPart(base[pos:pos+end]))
		pos += end + 1
	}
	for len(w.parts) > 0 && w.parts[len(w.parts)-1].isZero() {
		w.parts = w.parts[:len(w.parts)-1]
	}
	if w.approx != approxNone && w.isSentinel("Unknown") {
		return w, fmt.Errorf("winget version %q: an unknown version cannot be approximate", v)
	}
	return w, nil
}

// parseWingetPart splits a part into its leading number and the rest, as
// strtoull(part, &end, 10) does: an optional sign, then digits; a number
// that does not fit 64 bits leaves the whole part as text.
func parseWingetPart(s string) wingetPart {
	s = strings.Trim(s, wingetSpace)
	n, end, overflow := strtoull(s)
	p := wingetPart{integer: n}
	switch {
	case overflow:
		p.integer, p.other = 0, s
	case end != len(s):
		p.other = s[end:]
	}
	p.folded = foldCase.String(p.other)
	return p
}

// strtoull reads a base-10 unsigned number at the start of s as C's
// strtoull does (s has no leading space): it returns the value (negated
// modulo 2^64 after a '-'), the length it read (0 when there are no
// digits), and whether the number overflowed.
func strtoull(s string) (n uint64, end int, overflow bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if n > (math.MaxUint64-d)/10 {
			overflow = true
		}
		n = n*10 + d
	}
	if i == start {
		return 0, 0, false
	}
	if neg {
		n = -n
	}
	return n, i, overflow
}

func (p wingetPart) isZero() bool { return p.integer == 0 && p.other == "" }

// less orders two parts: by number, then a part without text after one
// with text, then by the case-folded text.
func (p wingetPart) less(q wingetPart) bool {
	switch {
	case p.integer != q.integer:
		return p.integer < q.integer
	case p.other == "":
		return false
	case q.other == "":
		return true
	}
	return p.folded < q.folded
}

// isSentinel reports whether w is the single part name ("Latest" or
// "Unknown"), in any case.
func (w wingetVersion) isSentinel(name string) bool {
	return len(w.parts) == 1 && w.parts[0].integer == 0 && strings.EqualFold(w.parts[0].other, name)
}

// less is winget's Version::operator<.
func (w wingetVersion) less(o wingetVersion) bool {
	for _, sentinel := range []string{"Latest", "Unknown"} {
		ws, os := w.isSentinel(sentinel), o.isSentinel(sentinel)
		switch {
		case ws && os:
			return w.approxBelow(o)
		case ws || os:
			// Latest sorts above everything, Unknown below.
			return (sentinel == "Latest") == os
		}
	}
	for i := 0; i < max(len(w.parts), len(o.parts)); i++ {
		a, b := w.partAt(i), o.partAt(i)
		if a.less(b) {
			return true
		}
		if b.less(a) {
			return false
		}
	}
	return w.approxBelow(o)
}

func (w wingetVersion) partAt(i int) wingetPart {
	if i < len(w.parts) {
		return w.parts[i]
	}
	return wingetPart{}
}

// approxBelow orders two versions whose parts are equal by their
// approximate comparators: "< V" < "V" < "> V".
func (w wingetVersion) approxBelow(o wingetVersion) bool {
	return (w.approx == approxLess && o.approx != approxLess) ||
		(w.approx == approxNone && o.approx == approxGreater)
}
