package version

import (
	"errors"
	"strings"
	"testing"
)

type compareCase struct {
	a, b string
	want int // -1, 0 or +1
}

func runCompare(t *testing.T, s Scheme, cases []compareCase) {
	t.Helper()
	for _, c := range cases {
		got, err := Compare(s, c.a, c.b)
		if err != nil {
			t.Errorf("Compare(%s, %q, %q): %v", s, c.a, c.b, err)
			continue
		}
		if sign(got) != c.want {
			t.Errorf("Compare(%s, %q, %q) = %d, want %d", s, c.a, c.b, got, c.want)
		}
		if back, _ := Compare(s, c.b, c.a); sign(back) != -c.want {
			t.Errorf("Compare(%s, %q, %q) = %d, want %d (antisymmetry)", s, c.b, c.a, back, -c.want)
		}
	}
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

func TestCompareDebian(t *testing.T) {
	cases := []compareCase{
		{"1.0~rc1", "1.0", -1},
		{"1.0", "1.0+b1", -1},
		{"1:1.0", "2.0", 1},
		{"0:1.0", "1.0", 0},
		{"1.22.1-9", "1.22.1-9+deb12u2", -1},
		{"10.0.10", "10.0.9", 1},
	}
	runCompare(t, Debian, cases)
	runCompare(t, "", cases) // not declared: Debian
}

func TestCompareSemver(t *testing.T) {
	runCompare(t, Semver, []compareCase{
		{"1.2.3", "1.2.3", 0},
		{"1.2.3", "1.2.10", -1},
		{"1.10.0", "1.9.9", 1},
		{"2.0.0-rc.1", "2.0.0", -1}, // a pre-release comes before its release (Debian says the opposite)
		{"1.0.0-alpha", "1.0.0-alpha.1", -1},
		{"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
		{"1.0.0-beta.2", "1.0.0-beta.11", -1}, // numeric identifiers by value
		{"1.0.0-beta.11", "1.0.0-rc.1", -1},
		{"1.0.0+build.1", "1.0.0+build.2", 0}, // build metadata does not count
	})
}

func TestCompareSemverRefusesNonSemver(t *testing.T) {
	for _, v := range []string{"1.2", "v1.2.3", "01.2.3", "1.2.3-01", "", "1.2.3.4"} {
		if _, err := Compare(Semver, v, "1.0.0"); err == nil || !strings.Contains(err.Error(), "semver version") {
			t.Errorf("Compare(semver, %q, 1.0.0): err = %v, want a semver error", v, err)
		}
	}
}

func TestCompareDotted(t *testing.T) {
	runCompare(t, Dotted, []compareCase{
		{"10.0.10", "10.0.9", 1},
		{"10.0.19041.3693", "10.0.19041.3803", -1},
		{"10.0.19041.3693", "10.0.22621.1", -1},
		{"1.2.3", "1.2.3", 0},
		{"1.2", "1.2.0", 0}, // a missing segment is 0
		{"1.2", "1.2.0.1", -1},
		{"1.2.1", "1.2", 1},
		{"1.02", "1.2", 0}, // leading zeros do not count
		{"1.010", "1.9", 1},
		{"007", "7", 0},
		{"18446744073709551616.1", "18446744073709551615.9", 1}, // past uint64
		{"1.2.3", "1.2.rc1", -1},                                // a number before text
		{"1.2.beta", "1.2.alpha", 1},                            // text byte by byte
		{"1.2.3-beta", "1.2.3-alpha", 1},
		{"0x1A", "0x1B", -1},
		{"1.2", "1.2.beta", -1}, // the missing 0 is a number, before text
	})
}

func TestCompareDottedRefusesEmptySegments(t *testing.T) {
	for _, v := range []string{"", "1..2", "1.2.", ".1"} {
		if _, err := Compare(Dotted, v, "1"); err == nil || !strings.Contains(err.Error(), "empty segment") {
			t.Errorf("Compare(dotted, %q, 1): err = %v, want an empty segment error", v, err)
		}
	}
}

func TestCompareOpaque(t *testing.T) {
	for _, c := range [][2]string{{"KB5034441", "KB5034441"}, {"KB5034441", "KB5044281"}, {"", ""}} {
		if _, err := Compare(Opaque, c[0], c[1]); !errors.Is(err, ErrUnordered) {
			t.Errorf("Compare(opaque, %q, %q): err = %v, want ErrUnordered", c[0], c[1], err)
		}
	}
}

func TestCompareUnknownScheme(t *testing.T) {
	_, err := Compare("rpm", "1", "2")
	if err == nil || !strings.Contains(err.Error(), `unknown version scheme "rpm"`) {
		t.Errorf("err = %v, want unknown version scheme", err)
	}
}
