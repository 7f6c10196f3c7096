package words

import "testing"

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "hosts", 1: "host", 2: "hosts"} {
		if got := Plural(n, "host", "hosts"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1 MiB", 64 << 20: "64 MiB", 1<<20 + 1: "1048577 bytes", 512: "512 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
