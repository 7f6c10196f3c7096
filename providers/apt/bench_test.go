package apt

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/transport/local"
	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// The benchmarks compare tend's apt provider with the apt commands it
// replaces, on the same root: 2,000 installed packages, 300 of them
// upgradable (100 from stable-security, 200 from stable).
//
//	go test -run '^$' -bench . -benchtime 20x ./providers/apt/

const (
	benchInstalled  = 2000
	benchUpgradable = 300
)

// benchRoot builds the benchmarks' root (a few seconds: 300 packages to
// build and scan into the repository).
func benchRoot(b *testing.B) *apttest.Root {
	b.Helper()
	var opts apttest.Options
	for i := range benchInstalled {
		opts.Installed = append(opts.Installed, apttest.Pkg{Name: fmt.Sprintf("pkg%04d", i), Version: "1.0"})
	}
	for i := range benchUpgradable {
		p := apttest.Pkg{Name: fmt.Sprintf("pkg%04d", i), Version: "1.1"}
		if i%3 == 0 {
			opts.Security = append(opts.Security, p)
		} else {
			opts.Stable = append(opts.Stable, p)
		}
	}
	return apttest.NewRoot(b, opts)
}

// benchActions upgrade the 300 upgradable packages.
func benchActions() []sdk.Action {
	var actions []sdk.Action
	for i := range benchUpgradable {
		name := fmt.Sprintf("pkg%04d", i)
		actions = append(actions, sdk.Action{ID: name, Type: "upgrade", Package: name, From: "1.0", To: "1.1"})
	}
	return actions
}

func BenchmarkScan(b *testing.B) {
	r := benchRoot(b)
	cfg := Config{Root: r.Dir}
	inv, _, err := Scan(context.Background(), local.Runner{}, cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	if len(inv.Installed) != benchInstalled || len(inv.Available) != benchUpgradable {
		b.Fatalf("scan found %d installed, %d available", len(inv.Installed), len(inv.Available))
	}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := Scan(context.Background(), local.Runner{}, cfg, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAptListUpgradable is what Scan is measured against: apt list
// --upgradable with the harness's root options, and with the explicit
// architecture list Scan adds (which spares apt three dpkg runs).
func BenchmarkAptListUpgradable(b *testing.B) {
	r := benchRoot(b)
	for _, v := range []struct {
		name  string
		extra []string
	}{
		{"root-options", nil},
		{"with-architectures", []string{"-o", "APT::Architectures=" + r.Arch}},
	} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				runApt(b, r, "apt", append(v.extra, "list", "--upgradable")...)
			}
		})
	}
}

// BenchmarkAptGetSimulate is the alternative Scan does not use: a
// simulated dist-upgrade.
func BenchmarkAptGetSimulate(b *testing.B) {
	r := benchRoot(b)
	for b.Loop() {
		runApt(b, r, "apt-get", "-s", "-q", "dist-upgrade")
	}
}

func BenchmarkApply300(b *testing.B) {
	r := benchRoot(b)
	actions := benchActions()
	for b.Loop() {
		b.StopTimer()
		c := r.Clone(b)
		b.StartTimer()
		results, err := Apply(context.Background(), local.Runner{}, Config{Root: c.Dir}, actions, nil, nil)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		for _, res := range results {
			if res.Status != sdk.StatusSucceeded {
				b.Fatalf("%+v", res)
			}
		}
		os.RemoveAll(c.Dir)
		b.StartTimer()
	}
}

// BenchmarkApply300Checked measures what the apply-time check costs: each
// iteration applies the 300 upgrades to two fresh copies of the root, one
// as BenchmarkApply300 does and one with the transaction Resolve planned as
// Expected (one more apt-get --simulate before the install), in turn, so
// both see the same machine load. It reports both times and their ratio.
func BenchmarkApply300Checked(b *testing.B) {
	r := benchRoot(b)
	actions := benchActions()
	expected, _, err := Resolve(context.Background(), local.Runner{}, Config{Root: r.Dir}, actions)
	if err != nil || len(expected) != benchUpgradable {
		b.Fatalf("resolve: %d changes, %v", len(expected), err)
	}
	var plain, checked time.Duration
	apply := func(expected []sdk.Change) time.Duration {
		c := r.Clone(b)
		defer os.RemoveAll(c.Dir)
		start := time.Now()
		results, err := Apply(context.Background(), local.Runner{}, Config{Root: c.Dir}, actions, expected, nil)
		d := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		for _, res := range results {
			if res.Status != sdk.StatusSucceeded {
				b.Fatalf("%+v", res)
			}
		}
		return d
	}
	for b.Loop() {
		plain += apply(nil)
		checked += apply(expected)
	}
	b.ReportMetric(plain.Seconds()/float64(b.N), "unchecked-s/op")
	b.ReportMetric(checked.Seconds()/float64(b.N), "checked-s/op")
	b.ReportMetric(checked.Seconds()/plain.Seconds(), "ratio")
}

// BenchmarkResolve300 is the plan-time cost: resolving the 300 upgrades.
func BenchmarkResolve300(b *testing.B) {
	r := benchRoot(b)
	actions := benchActions()
	for b.Loop() {
		if _, _, err := Resolve(context.Background(), local.Runner{}, Config{Root: r.Dir}, actions); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAptGetInstall300 installs the same 300 pinned versions with one
// apt-get install, as an administrator would.
func BenchmarkAptGetInstall300(b *testing.B) {
	r := benchRoot(b)
	args := []string{"-y", "-q", "install"}
	for _, a := range benchActions() {
		args = append(args, a.Package+"="+a.To)
	}
	for b.Loop() {
		b.StopTimer()
		c := r.Clone(b)
		b.StartTimer()
		runApt(b, c, "apt-get", args...)
		b.StopTimer()
		os.RemoveAll(c.Dir)
		b.StartTimer()
	}
}

func runApt(b *testing.B, r *apttest.Root, program string, args ...string) {
	cmd := r.AptCommand(program, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", cmd, err, out)
	}
}
