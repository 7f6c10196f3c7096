package version

import "testing"

// FuzzCompare: no scheme panics on any input, and every ordered answer is
// antisymmetric.
func FuzzCompare(f *testing.F) {
	for _, c := range [][2]string{{"10.0.10", "10.0.9"}, {"1.0.0-rc.1", "1.0.0"}, {"1.02", "1.2.beta"}, {"", "1..2"}, {"KB5034441", "1:1.0~rc1"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, s := range schemes {
			ab, errAB := Compare(s, a, b)
			ba, errBA := Compare(s, b, a)
			if (errAB == nil) != (errBA == nil) {
				t.Fatalf("%s: Compare(%q, %q) err %v, reversed err %v", s, a, b, errAB, errBA)
			}
			if errAB == nil && sign(ab) != -sign(ba) {
				t.Fatalf("%s: Compare(%q, %q) = %d, reversed %d", s, a, b, ab, ba)
			}
		}
	})
}
