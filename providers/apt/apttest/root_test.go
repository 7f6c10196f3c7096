package apttest

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoot(t *testing.T) {
	r := NewRoot(t, Options{
		Installed: []Pkg{{Name: "foo", Version: "1.0"}, {Name: "bar", Version: "1:1.0-1", Depends: "foo"}},
		Stable:    []Pkg{{Name: "foo", Version: "1.0"}, {Name: "bar", Version: "1:2.0-1", Depends: "foo (>= 1.0)"}},
		Security:  []Pkg{{Name: "foo", Version: "1.1"}},
	})
	want := map[string]string{"foo": "1.0", "bar": "1:1.0-1"}
	if got := r.Installed(t); !maps.Equal(got, want) {
		t.Errorf("Installed = %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, "usr/share/doc/foo/tend-test")); err != nil {
		t.Errorf("dpkg did not install into the root: %v", err)
	}
	out := r.Apt(t, "apt-get", "-s", "-q", "dist-upgrade")
	for _, line := range []string{
		"Inst bar [1:1.0-1] (1:2.0-1 tend:stable [all])",
		"Inst foo [1.0] (1.1 tend-Security:stable-security [all])",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("apt-get -s dist-upgrade lacks %q:\n%s", line, out)
		}
	}
	c := r.Clone(t)
	c.Apt(t, "apt-get", "-y", "-q", "install", "foo=1.1")
	if got := c.Installed(t)["foo"]; got != "1.1" {
		t.Errorf("clone: foo = %q, want 1.1", got)
	}
	if got := r.Installed(t)["foo"]; got != "1.0" {
		t.Errorf("original after installing in the clone: foo = %q, want 1.0", got)
	}
}

// TestSeed checks that a seeded dpkg database reads like one dpkg wrote,
// and that dpkg and apt can upgrade seeded packages.
func TestSeed(t *testing.T) {
	pkgs := []Pkg{{Name: "foo", Version: "1.0"}, {Name: "bar", Version: "2.0", Depends: "foo"}}
	real := NewRoot(t, Options{Installed: pkgs})
	seeded := NewRoot(t, Options{Stable: []Pkg{{Name: "foo", Version: "1.1"}}})
	if err := seeded.seed(pkgs); err != nil {
		t.Fatal(err)
	}
	if got, want := seeded.Status(t), real.Status(t); !maps.Equal(got, want) {
		t.Errorf("seeded status = %v, dpkg's = %v", got, want)
	}
	seeded.Apt(t, "apt-get", "-y", "-q", "install", "foo=1.1")
	if got := seeded.Installed(t)["foo"]; got != "1.1" {
		t.Errorf("foo = %q after upgrade, want 1.1", got)
	}
}

// BenchmarkBuild300 measures building 300 packages, the size of the apply
// benchmarks' repository (speed belongs in a benchmark, not a test).
func BenchmarkBuild300(b *testing.B) {
	if err := Available(); err != nil {
		b.Skip(err)
	}
	pkgs := make([]Pkg, 300)
	for i := range pkgs {
		pkgs[i] = Pkg{Name: fmt.Sprintf("speed%03d", i), Version: "1.0"}
	}
	for b.Loop() {
		if _, err := buildDebs(b.TempDir(), pkgs); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCreateError(t *testing.T) {
	if err := Available(); err != nil {
		t.Skip(err)
	}
	if _, err := Create("/proc/apttest-cannot-be-here", Options{}); err == nil {
		t.Error("Create in /proc: no error")
	}
}
