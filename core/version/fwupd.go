package version

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// This file orders versions as fwupd does: fu_version_compare in
// fwupd/fwupd libfwupdplugin/fu-version-common.c (read at tag 2.0.20),
// with the cases of its self test (fu_version_compare in
// libfwupdplugin/fu-self-test.c) as the table in fwupd_test.go.
//
// fwupd compares by the device's VersionFormat: "plain" as whole strings,
// "hex" after turning 0x numbers into 0x%08x, every other format (triplet,
// quad, pair, bcd, intel-me, …, all dotted by the time fwupd shows them)
// section by section. A scheme is one per provider, not per device, so
// compareFwupd does the sectioned comparison and, where a version is a
// single 0x number, the hex format's conversion first: that orders every
// format but plain as fwupd does, and plain versions (free text that
// fwupd only tells equal or not) still compare equal only when equal.

// compareFwupd orders two firmware versions as fu_version_compare does
// for a device of any format but plain; never an error.
func compareFwupd(a, b string) (int, error) {
	return fwupdCompareSafe(fwupdHex(cString(a)), fwupdHex(cString(b))), nil
}

// cString is s as C sees it: up to its first NUL.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// fwupdHex is fu_version_parse_from_format for the hex format, for the
// 0x-prefixed numbers it is there for: 0x2 becomes 0x00000002, so that
// 0x2 and 0x00000002 are one version and 0x10 sorts after 0x9.
func fwupdHex(v string) string {
	if !strings.HasPrefix(v, "0x") || strings.Contains(v, ".") {
		return v
	}
	n, err := strconv.ParseUint(v[2:], 16, 64)
	if err != nil || n == 0 || n > math.MaxUint32 {
		return v
	}
	return fmt.Sprintf("0x%08x", n)
}

// fwupdCompareSafe is fu_version_compare_safe: dot-separated sections,
// each a leading decimal integer (compared by value) and a rest (compared
// character by character, '~' below everything, even the end); a version
// with fewer sections sorts first when the others are equal.
func fwupdCompareSafe(a, b string) int {
	if a == b {
		return 0
	}
	sa, sb := gSplit(a), gSplit(b)
	for i := 0; i < max(len(sa), len(sb)); i++ {
		if i >= len(sa) {
			return -1
		}
		if i >= len(sb) {
			return 1
		}
		na, ra := gStrtoll(sa[i])
		nb, rb := gStrtoll(sb[i])
		if na != nb {
			if na < nb {
				return -1
			}
			return 1
		}
		if ra != "" || rb != "" {
			if rc := fwupdCompareChunk(ra, rb); rc != 0 {
				return rc
			}
		}
	}
	return 0
}

// gSplit is g_strsplit(s, ".", -1): the empty string has no sections.
func gSplit(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ".")
}

// gStrtoll is g_ascii_strtoll(s, &end, 10): leading ASCII blanks, a sign
// and decimal digits, saturating at the int64 bounds; rest is what
// follows them, or all of s when there are no digits.
func gStrtoll(s string) (n int64, rest string) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var u uint64
	over := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if u > (math.MaxUint64-d)/10 {
			over = true
			continue
		}
		u = u*10 + d
	}
	if i == start {
		return 0, s
	}
	switch {
	case neg && (over || u > 1<<63):
		n = math.MinInt64
	case neg:
		n = -int64(u-1) - 1
	case over || u > math.MaxInt64:
		n = math.MaxInt64
	default:
		n = int64(u)
	}
	return n, s[i:]
}

// fwupdCompareChunk is fu_version_compare_chunk.
func fwupdCompareChunk(a, b string) int {
	if a == b {
		return 0
	}
	i := 0
	for ; i < len(a) && i < len(b); i++ {
		if rc := fwupdCompareChar(a[i], b[i]); rc != 0 {
			return rc
		}
	}
	var ca, cb byte
	if i < len(a) {
		ca = a[i]
	}
	if i < len(b) {
		cb = b[i]
	}
	return fwupdCompareChar(ca, cb)
}

// fwupdCompareChar is fu_version_compare_char; 0 is the end of a string.
// gchar is signed on the platforms fwupd runs on, so bytes above 0x7f
// sort below the ASCII ones.
func fwupdCompareChar(a, b byte) int {
	switch {
	case a == b:
		return 0
	case a == '~':
		return -1
	case b == '~':
		return 1
	case int8(a) < int8(b):
		return -1
	}
	return 1
}
