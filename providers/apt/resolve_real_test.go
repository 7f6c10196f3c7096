package apt

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// resolveCase is a transaction apt resolves in a hermetic root: the
// root, the actions, and what Resolve must say (changes, or an error
// containing wantErr). The simulation's output is recorded in
// testdata/resolve/NAME.{stdout,stderr} by TestCaptureResolve.
type resolveCase struct {
	name    string
	opts    apttest.Options
	actions []sdk.Action
	want    []sdk.Change
	wantErr string
}

func upgrade(pkg, from, to string) sdk.Action {
	return sdk.Action{ID: "h/apt/" + pkg, Type: sdk.ActionUpgrade, Package: pkg, From: from, To: to}
}

var resolveCases = []resolveCase{{
	// The case: app 2.0 needs liba (>= 2.0), so upgrading app
	// upgrades liba.
	name: "depends",
	opts: apttest.Options{
		Installed: []apttest.Pkg{{Name: "liba", Version: "1.0"}, {Name: "app", Version: "1.0", Depends: "liba"}},
		Stable:    []apttest.Pkg{{Name: "liba", Version: "2.0"}, {Name: "app", Version: "2.0", Depends: "liba (>= 2.0)"}},
	},
	actions: []sdk.Action{upgrade("app", "1.0", "2.0")},
	want: []sdk.Change{
		{Package: "liba", Kind: sdk.ChangeUpgrade, From: "1.0", To: "2.0", RequiredBy: []string{"app"}},
		{Package: "app", Kind: sdk.ChangeUpgrade, From: "1.0", To: "2.0"},
	},
}, {
	// New packages, one only through another: both are app's.
	name: "new",
	opts: apttest.Options{
		Installed: []apttest.Pkg{{Name: "app", Version: "1.0"}},
		Stable: []apttest.Pkg{{Name: "app", Version: "2.0", Depends: "libnew"},
			{Name: "libnew", Version: "1.0", Depends: "libdeep"}, {Name: "libdeep", Version: "1.0"}},
	},
	actions: []sdk.Action{upgrade("app", "1.0", "2.0")},
	want: []sdk.Change{
		{Package: "libdeep", Kind: sdk.ChangeInstall, To: "1.0", RequiredBy: []string{"app"}},
		{Package: "libnew", Kind: sdk.ChangeInstall, To: "1.0", RequiredBy: []string{"app"}},
		{Package: "app", Kind: sdk.ChangeUpgrade, From: "1.0", To: "2.0"},
	},
}, {
	// tool 2.0 conflicts with oldtool; web 2.0 breaks plugin, which has
	// no fixed version (removed), and addon, which has (upgraded).
	name: "remove",
	opts: apttest.Options{
		Installed: []apttest.Pkg{{Name: "tool", Version: "1.0"}, {Name: "oldtool", Version: "1.0"},
			{Name: "web", Version: "1.0"}, {Name: "plugin", Version: "1.0"}, {Name: "addon", Version: "1.0"}},
		Stable: []apttest.Pkg{{Name: "tool", Version: "2.0", Conflicts: "oldtool"},
			{Name: "web", Version: "2.0", Breaks: "plugin (<< 2.0), addon (<< 2.0)"}, {Name: "addon", Version: "2.0"}},
	},
	actions: []sdk.Action{upgrade("tool", "1.0", "2.0"), upgrade("web", "1.0", "2.0")},
	want: []sdk.Change{
		{Package: "oldtool", Kind: sdk.ChangeRemove, From: "1.0", RequiredBy: []string{"tool"}},
		{Package: "plugin", Kind: sdk.ChangeRemove, From: "1.0", RequiredBy: []string{"web"}},
		{Package: "addon", Kind: sdk.ChangeUpgrade, From: "1.0", To: "2.0", RequiredBy: []string{"web"}},
		{Package: "tool", Kind: sdk.ChangeUpgrade, From: "1.0", To: "2.0"},
		{Package: "web", Kind: sdk.ChangeUpgrade, From: "1.0", To: "2.0"},
	},
}, {
	name: "downgrade",
	opts: apttest.Options{
		Installed: []apttest.Pkg{{Name: "zed", Version: "2.0"}},
		Stable:    []apttest.Pkg{{Name: "zed", Version: "1.0"}, {Name: "zed", Version: "2.0"}},
	},
	actions: []sdk.Action{{ID: "h/apt/zed", Type: sdk.ActionDowngrade, Package: "zed", From: "2.0", To: "1.0"}},
	want:    []sdk.Change{{Package: "zed", Kind: sdk.ChangeDowngrade, From: "2.0", To: "1.0"}},
}, {
	name: "unsatisfiable",
	opts: apttest.Options{
		Installed: []apttest.Pkg{{Name: "app", Version: "1.0"}},
		Stable:    []apttest.Pkg{{Name: "app", Version: "2.0", Depends: "libz (>= 5)"}},
	},
	actions: []sdk.Action{upgrade("app", "1.0", "2.0")},
	wantErr: "app : Depends: libz (>= 5) but it is not installable",
}}

// TestResolveReal: apt's own resolution of each case, for real, and
// nothing changed by it.
func TestResolveReal(t *testing.T) {
	for _, tc := range resolveCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := apttest.NewRoot(t, tc.opts)
			before := r.Status(t)
			got, warns, err := Resolve(context.Background(), realRunner(), Config{Root: r.Dir}, tc.actions)
			checkResolved(t, tc, got, err)
			if len(warns) != 0 {
				t.Errorf("warnings: %q", warns)
			}
			if d := cmp.Diff(before, r.Status(t)); d != "" {
				t.Errorf("Resolve changed the dpkg database (-before +after):\n%s", d)
			}
		})
	}
}

func checkResolved(t *testing.T, tc resolveCase, got []sdk.Change, err error) {
	t.Helper()
	if tc.wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("err = %v; want one containing %q", err, tc.wantErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(tc.want, got); d != "" {
		t.Errorf("transaction (-want +got):\n%s", d)
	}
}

// TestResolveSkipsWhatApplyWould: an action Apply would fail without apt
// (a held package) is left out of the transaction with a warning.
func TestResolveSkipsWhatApplyWould(t *testing.T) {
	r, cfg := fooBar(t)
	apply(t, realRunner(), cfg, sdk.Action{ID: "h", Type: sdk.ActionHold, Package: "bar"})
	got, warns, err := Resolve(context.Background(), realRunner(), cfg, []sdk.Action{
		upgrade("foo", "1.0", "1.1"), upgrade("bar", "1.0", "2.0")})
	if err != nil {
		t.Fatal(err)
	}
	want := []sdk.Change{{Package: "foo", Kind: sdk.ChangeUpgrade, From: "1.0", To: "1.1"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("transaction (-want +got):\n%s", d)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "h/apt/bar: not part of the transaction: held: bar is on hold at 1.0") {
		t.Errorf("warnings = %q", warns)
	}
	if v := r.Installed(t)["foo"]; v != "1.0" {
		t.Errorf("foo is at %s after Resolve", v)
	}
}

// TestApplyExpectedReal: a transaction that changed in the repository
// after the plan (a newer liba, a new dependency) is refused at apply:
// nothing installed, every action failed with the difference. The
// current transaction applies.
func TestApplyExpectedReal(t *testing.T) {
	tc := resolveCases[0]
	for name, publish := range map[string][]apttest.Pkg{
		"newer dependency": {{Name: "liba", Version: "2.1"}},
		"new dependency":   {{Name: "app", Version: "2.0", Depends: "liba (>= 2.0), libnew"}, {Name: "libnew", Version: "1.0"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := apttest.NewRoot(t, tc.opts)
			cfg := Config{Root: r.Dir}
			planned, _, err := Resolve(context.Background(), realRunner(), cfg, tc.actions)
			if err != nil {
				t.Fatal(err)
			}
			r.Publish(t, apttest.Stable, publish...)
			r.Update(t)
			actions := append(tc.actions, sdk.Action{ID: "h/apt/liba-hold", Type: sdk.ActionHold, Package: "liba"})
			rec := realRunner()
			results, err := Apply(context.Background(), rec, cfg, actions, planned, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, res := range results {
				if res.Status != sdk.StatusFailed || !strings.Contains(res.Message, "the transaction differs from the plan") {
					t.Errorf("%s: %s %q; want failed with the difference", res.ActionID, res.Status, res.Message)
				}
			}
			t.Logf("message: %s", results[0].Message)
			if got := r.Status(t); got["app"].Version != "1.0" || got["liba"].Version != "1.0" || got["liba"].State != "ii" {
				t.Errorf("dpkg after a refused apply: app %+v, liba %+v; want both at 1.0, not held", got["app"], got["liba"])
			}
			if n := rec.count("apt-get", "install") - rec.count("apt-get", "--simulate"); n != 0 {
				t.Errorf("%d real apt-get install runs after the refusal", n)
			}

			now, _, err := Resolve(context.Background(), realRunner(), cfg, tc.actions)
			if err != nil {
				t.Fatal(err)
			}
			results, err = Apply(context.Background(), realRunner(), cfg, tc.actions, now, nil)
			if err != nil || results[0].Status != sdk.StatusSucceeded {
				t.Fatalf("apply with the current transaction: %+v, %v", results, err)
			}
			installed := r.Installed(t)
			for _, c := range now {
				if installed[c.Package] != c.To {
					t.Errorf("%s is at %q; the transaction said %s", c.Package, installed[c.Package], sdk.DescribeChange(c))
				}
			}
		})
	}
}

// TestResolveUnholdFirst: a held package the request unholds is in the
// transaction, as Apply unholds it before apt-get install runs.
func TestResolveUnholdFirst(t *testing.T) {
	r, cfg := fooBar(t)
	apply(t, realRunner(), cfg, sdk.Action{ID: "h", Type: sdk.ActionHold, Package: "bar"})
	actions := []sdk.Action{{ID: "h/apt/bar-unhold", Type: sdk.ActionUnhold, Package: "bar"}, upgrade("bar", "1.0", "2.0")}
	got, warns, err := Resolve(context.Background(), realRunner(), cfg, actions)
	if err != nil || len(warns) != 0 {
		t.Fatalf("Resolve: %v, warnings %q", err, warns)
	}
	want := []sdk.Change{{Package: "bar", Kind: sdk.ChangeUpgrade, From: "1.0", To: "2.0"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("transaction (-want +got):\n%s", d)
	}
	results, err := Apply(context.Background(), realRunner(), cfg, actions, got, nil)
	if err != nil || results[0].Status != sdk.StatusSucceeded || results[1].Status != sdk.StatusSucceeded {
		t.Fatalf("apply with the transaction: %+v, %v", results, err)
	}
	if v := r.Installed(t)["bar"]; v != "2.0" {
		t.Errorf("bar is at %s", v)
	}
}
