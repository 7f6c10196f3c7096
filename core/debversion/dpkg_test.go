package debversion

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
)

// dpkgCompare asks dpkg how a compares with b. It fails the test if dpkg
// complains about either version's syntax.
func dpkgCompare(t *testing.T, dpkg, a, b string) int {
	t.Helper()
	for _, rel := range []struct {
		op   string
		want int
	}{{"lt", -1}, {"gt", 1}} {
		cmd := exec.Command(dpkg, "--compare-versions", a, rel.op, b)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if stderr.Len() > 0 {
			t.Fatalf("dpkg --compare-versions %q %s %q: %s", a, rel.op, b, stderr.String())
		}
		var exit *exec.ExitError
		switch {
		case err == nil:
			return rel.want
		case errors.As(err, &exit) && exit.ExitCode() == 1:
		default:
			t.Fatalf("dpkg --compare-versions %q %s %q: %v", a, rel.op, b, err)
		}
	}
	return 0
}

func lookDpkg(t *testing.T) string {
	t.Helper()
	dpkg, err := exec.LookPath("dpkg")
	if err != nil {
		t.Skip("dpkg is not on PATH")
	}
	return dpkg
}

// TestCompareDpkg checks Compare against dpkg on the table of real versions
// and on 200 generated pairs, many of which differ in one character.
func TestCompareDpkg(t *testing.T) {
	dpkg := lookDpkg(t)
	for _, tc := range compareCases {
		if Valid(tc.a) != nil || Valid(tc.b) != nil { // dpkg would complain
			continue
		}
		if got, want := Compare(tc.a, tc.b), dpkgCompare(t, dpkg, tc.a, tc.b); got != want {
			t.Errorf("Compare(%q, %q) = %d, dpkg says %d", tc.a, tc.b, got, want)
		}
	}
	n := 200
	if testing.Short() {
		n = 40
	}
	r := rand.New(rand.NewPCG(20261120, 1))
	for range n {
		a := randomVersion(r)
		b := randomVersion(r)
		if r.IntN(2) == 0 {
			b = mutate(r, a)
		}
		for _, v := range []string{a, b} {
			if err := Valid(v); err != nil {
				t.Fatalf("generated an invalid version: %v", err)
			}
		}
		if got, want := Compare(a, b), dpkgCompare(t, dpkg, a, b); got != want {
			t.Errorf("Compare(%q, %q) = %d, dpkg says %d", a, b, got, want)
		}
	}
}

// TestValidDpkg checks that dpkg complains about every version Valid rejects,
// except where Valid is documented to be stricter.
func TestValidDpkg(t *testing.T) {
	dpkg := lookDpkg(t)
	stricter := map[string]bool{"": true, " 1.0": true, "1.0 ": true, "1.0\t": true, "+1:1.0": true}
	for _, tc := range validErrorCases {
		if stricter[tc.in] || strings.HasPrefix(tc.in, "-") { // dpkg takes "-1" for an option
			continue
		}
		cmd := exec.Command(dpkg, "--compare-versions", tc.in, "eq", "1")
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("dpkg on %q says %q, Valid says %q", tc.in, strings.TrimSpace(string(out)), tc.want)
		}
	}
}

// randomVersion builds a valid version from the pieces real versions are made
// of, from a small alphabet so that pairs often share long prefixes.
func randomVersion(r *rand.Rand) string {
	var sb strings.Builder
	hasEpoch := r.IntN(5) == 0
	if hasEpoch {
		sb.WriteString([]string{"0", "1", "2", "10"}[r.IntN(4)])
		sb.WriteByte(':')
	}
	hasRevision := r.IntN(5) < 3
	sb.WriteString(digits(r))
	extra := ".+~"
	if hasEpoch {
		extra += ":"
	}
	if hasRevision {
		extra += "-"
	}
	writeTokens(r, &sb, extra, r.IntN(6))
	if hasRevision {
		sb.WriteByte('-')
		writeTokens(r, &sb, ".+~", 1+r.IntN(4))
	}
	return sb.String()
}

func writeTokens(r *rand.Rand, sb *strings.Builder, seps string, n int) {
	for range n {
		switch r.IntN(3) {
		case 0:
			sb.WriteString(digits(r))
		case 1:
			sb.WriteString([]string{"a", "b", "p", "rc", "deb", "u", "Z", "ubuntu", "bpo"}[r.IntN(9)])
		default:
			sb.WriteByte(seps[r.IntN(len(seps))])
		}
	}
}

func digits(r *rand.Rand) string {
	return []string{"0", "1", "2", "9", "10", "12", "007", "100"}[r.IntN(8)]
}

// mutate changes, inserts or deletes one character of v, trying until the
// result is valid.
func mutate(r *rand.Rand, v string) string {
	const alphabet = "0129~+.-:aZ"
	for {
		i := r.IntN(len(v) + 1)
		c := string(alphabet[r.IntN(len(alphabet))])
		var m string
		switch {
		case i == len(v):
			m = v + c
		case r.IntN(3) == 0:
			m = v[:i] + v[i+1:]
		case r.IntN(2) == 0:
			m = v[:i] + c + v[i:]
		default:
			m = v[:i] + c + v[i+1:]
		}
		if m != v && Valid(m) == nil {
			return m
		}
	}
}
