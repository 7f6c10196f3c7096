package debversion

import "testing"

// compareCases are pairs of versions and how the first compares with the
// second, most of them real Debian versions. TestCompareDpkg checks them
// against dpkg too.
var compareCases = []struct {
	a, b string
	want int
}{
	// Equal, including equivalent spellings.
	{"1.0", "1.0", 0},
	{"0:1.0", "1.0", 0},
	{"00:1.0", "0:1.0", 0},
	{"1.0-0", "1.0-0", 0},
	{"1.00", "1.0", 0},
	{"1.001", "1.1", 0},
	{"1.0-", "1.0-", 0},
	{"3.0.11-1~deb12u2", "3.0.11-1~deb12u2", 0},
	{"1:9.2p1-2+deb12u3", "1:9.2p1-2+deb12u3", 0},
	{"1.0-1", "1.0-01", 0},

	// The tilde sorts before everything, even the end.
	{"1.0~rc1", "1.0", -1},
	{"1.0~rc1", "1.0~rc2", -1},
	{"1.0~~", "1.0~", -1},
	{"1.0~~a", "1.0~", -1},
	{"1.0~", "1.0", -1},
	{"1.0~beta1~svn1245", "1.0~beta1", -1},
	{"1.0~alpha", "1.0~beta", -1},
	{"2.0~rc1-1", "2.0-1", -1},
	{"3.0.11-1~deb12u1", "3.0.11-1~deb12u2", -1},
	{"3.0.11-1~deb12u2", "3.0.11-1", -1},
	{"3.0.11-1~deb12u1", "3.0.11-1", -1},
	{"252.30-1~deb12u2", "252.31-1~deb12u1", -1},
	{"1.0-1~bpo12+1", "1.0-1", -1},
	{"5.10.0-1~exp1", "5.10.0-1", -1},

	// Letters sort before non-letters, after the end of the string.
	{"1.0", "1.0a", -1},
	{"1.0a", "1.0+", -1},
	{"1.0a", "1.0.", -1},
	{"1.0+", "1.0.", -1},
	{"1.0.", "1.0-1", 1}, // "." after the end; revisions are not reached
	{"1.0a", "1.0b", -1},
	{"1.0A", "1.0a", -1},
	{"1.0Z", "1.0a", -1},
	{"1.0z", "1.0+", -1},
	{"9.2p1", "9.2", 1},
	{"9.2p1", "9.3", -1},
	{"3.0pl1-162", "3.0pl1-161", 1},
	{"1.9.13p3-1+deb12u1", "1.9.13p3-1", 1},
	{"1.9.13p3", "1.9.13", 1},
	{"2.6.1", "2.6.1a", -1},

	// Digit runs compare numerically.
	{"1.2", "1.10", -1},
	{"1.9", "1.10", -1},
	{"10", "9", 1},
	{"1.0010", "1.9", 1},
	{"1.2.3", "1.2.10", -1},
	{"20230311", "20230311+deb12u1", -1},
	{"6.1.112-1", "6.1.115-1", -1},
	{"6.1.0-27", "6.1.0-28", -1},
	{"6.1.0-9", "6.1.0-10", -1},
	{"15.8-0+deb12u1", "15.10-0+deb12u1", -1},
	{"99999999999999999999", "99999999999999999998", 1},
	{"1.0.0", "1.0", 1},

	// The epoch wins over everything.
	{"1:0.9", "2.0", 1},
	{"1:0.9", "0:2.0", 1},
	{"2:1.0", "10:1.0", -1},
	{"1:1.0", "1.0", 1},
	{"1:9.2p1-2+deb12u3", "9.2p1-2+deb12u4", 1},
	{"2:8.2.2434-3+deb11u1", "2:9.0.1378-2", -1},
	{"1:2.3-1", "1:2.3-1+b1", -1},
	{"99999999999:1", "1:2", 1},

	// Revisions: split at the last hyphen; binNMUs and stable updates.
	{"2.30-1", "2.30-1+b1", -1},
	{"2.30-1+b1", "2.30-1+b2", -1},
	{"2.30-1+b1", "2.30-2", -1},
	{"2.30-1+b1", "2.30-1.1", -1},
	{"5.2.15-2+b13", "5.2.15-2+b2", 1},
	{"7.88.1-10+deb12u8", "7.88.1-10+deb12u12", -1},
	{"7.88.1-10+deb12u12", "7.88.1-10+deb12u14", -1},
	{"7.88.1-10+deb12u5", "7.88.1-10+deb12u8", -1},
	{"2.36-9+deb12u7", "2.36-9+deb12u9", -1},
	{"2.36-9+deb12u10", "2.36-9+deb12u9", 1},
	{"1.22.1-9", "1.22.1-9+deb12u1", -1},
	{"12.4+deb12u14", "12.4+deb12u9", 1},
	{"1.0-1", "1.0-1ubuntu1", -1},
	{"1.0-1ubuntu1", "1.0-2", -1},
	{"1.0-1-1", "1.0-1-2", -1},
	{"1.0-2-1", "1.0-10-1", -1},
	{"1.0-a-1", "1.0-b-0", -1},
	{"1.0", "1.0-0", 0},
	{"1.0", "1.0-1", -1},
	{"1.0-1", "1.0.1", -1},
	{"0.9-1", "1.0-0", -1},
	{"2.6.32-5", "2.6.32-48squeeze6", -1},
	{"4.19.0-0.bpo.5", "4.19.0-1", -1},
	{"1.2.3+dfsg-1", "1.2.3-1", 1},
	{"1.2.3+dfsg-1", "1.2.3.1-1", -1},
	{"0.0~git20230101.abcdef-1", "0.0~git20230215.012345-1", -1},
	{"1.4.0+ds1-1", "1.4.0+ds-1", 1},
}

func TestCompare(t *testing.T) {
	for _, tc := range compareCases {
		if got := Compare(tc.a, tc.b); got != tc.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Compare(tc.b, tc.a); got != -tc.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

// TestCompareInvalid checks that versions dpkg rejects still compare the way
// its parser splits them, without panicking.
func TestCompareInvalid(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "0", 0}, // dpkg: a blank version has epoch 0 and empty parts
		{"", "~", 1},
		{"", "1", -1},
		{" 1.0 ", "1.0", 0},
		{"\t1.0", "1.0", 0},
		{"a1.0", "1.0", 1},
		{"1:", "1:0", 0},
		{":1", "0:1", 1},
		{"x:1", "1", 1},
		{"1.0-", "1.0", 0},
		{"1.0\xff", "1.0z", 1},
		{"1.0\xff", "1.0+", -1},
	}
	for _, tc := range cases {
		if got := Compare(tc.a, tc.b); got != tc.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Compare(tc.b, tc.a); got != -tc.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

func TestCompareSorts(t *testing.T) {
	// Strictly increasing, as apt would order them.
	versions := []string{
		"0.9", "1.0~~", "1.0~~a", "1.0~", "1.0~alpha", "1.0~beta1~svn1245", "1.0~beta1",
		"1.0~rc1", "1.0", "1.0-0.1", "1.0-1~bpo12+1", "1.0-1", "1.0-1ubuntu1", "1.0-1+b1",
		"1.0-1.1", "1.0-2", "1.0a", "1.0+dfsg", "1.0.", "1.0.1", "1.1", "1.10", "2.0",
		"1:0.1", "1:1.0~rc1", "1:1.0", "2:0",
	}
	for i := range versions {
		for j := range versions {
			want := sign(i - j)
			if got := Compare(versions[i], versions[j]); got != want {
				t.Errorf("Compare(%q, %q) = %d, want %d", versions[i], versions[j], got, want)
			}
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, tc := range compareCases {
			Compare(tc.a, tc.b)
		}
	}
}
