package words

import "testing"

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "hosts", 1: "host", 2: "hosts"} {
		if got := Plural(n, "host", "hosts"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}
