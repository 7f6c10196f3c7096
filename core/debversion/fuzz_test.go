package debversion

import (
	"strings"
	"testing"
)

// FuzzCompare checks that Compare never panics, returns -1, 0 or +1, is
// reflexive and antisymmetric, and that a valid version without an epoch
// equals itself with epoch 0.
func FuzzCompare(f *testing.F) {
	for _, tc := range compareCases {
		f.Add(tc.a, tc.b)
	}
	f.Add("", "~")
	f.Add("1:", ":1")
	f.Add(" 1.0\t", "1.0\xff")
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := Compare(a, b), Compare(b, a)
		if ab < -1 || ab > 1 {
			t.Fatalf("Compare(%q, %q) = %d, want -1, 0 or +1", a, b, ab)
		}
		if ab != -ba {
			t.Fatalf("Compare(%q, %q) = %d but Compare(%q, %q) = %d", a, b, ab, b, a, ba)
		}
		if c := Compare(a, a); c != 0 {
			t.Fatalf("Compare(%q, %q) = %d, want 0", a, a, c)
		}
		if Valid(a) == nil && !strings.Contains(a, ":") {
			if err := Valid("0:" + a); err != nil {
				t.Fatalf("Valid(%q) = nil but %v", a, err)
			}
			if c := Compare(a, "0:"+a); c != 0 {
				t.Fatalf("Compare(%q, %q) = %d, want 0", a, "0:"+a, c)
			}
		}
	})
}
