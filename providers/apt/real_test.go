package apt

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tend-sh/tend/core/transport/local"
	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// These tests run the real apt-get, apt-cache, apt-mark and dpkg on
// alternate roots built by apttest.

// fooBar is the root of most tests: foo 1.0 and bar 1.0 installed, foo 1.1
// in stable-security, bar 1.0 and 2.0 in stable.
func fooBar(t *testing.T) (*apttest.Root, Config) {
	t.Helper()
	r := apttest.NewRoot(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "foo", Version: "1.0"}, {Name: "bar", Version: "1.0"}},
		Stable:    []apttest.Pkg{{Name: "foo", Version: "1.0"}, {Name: "bar", Version: "1.0"}, {Name: "bar", Version: "2.0"}},
		Security:  []apttest.Pkg{{Name: "foo", Version: "1.1"}},
	})
	return r, Config{Root: r.Dir}
}

func realRunner() *recorder { return &recorder{r: local.Runner{}} }

func scan(t *testing.T, cfg Config, pins ...string) (*sdk.Inventory, []string) {
	t.Helper()
	inv, warnings, err := Scan(context.Background(), realRunner(), cfg, pins)
	if err != nil {
		t.Fatal(err)
	}
	return inv, warnings
}

func apply(t *testing.T, rec *recorder, cfg Config, actions ...sdk.Action) ([]sdk.ActionResult, []sdk.Progress) {
	t.Helper()
	var events []sdk.Progress
	results, err := Apply(context.Background(), rec, cfg, actions, nil, func(p sdk.Progress) { events = append(events, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(actions) {
		t.Fatalf("%d results for %d actions", len(results), len(actions))
	}
	return results, events
}

func statuses(results []sdk.ActionResult) map[string]sdk.Status {
	m := map[string]sdk.Status{}
	for _, r := range results {
		m[r.ActionID] = r.Status
	}
	return m
}

func availableIDs(inv *sdk.Inventory) []string {
	var ids []string
	for _, u := range inv.Available {
		ids = append(ids, u.ID)
	}
	return ids
}

func TestRealScan(t *testing.T) {
	r, cfg := fooBar(t)
	inv, warnings := scan(t, cfg, "bar", "nosuch")
	if len(warnings) > 0 {
		t.Errorf("warnings: %q", warnings)
	}
	want := &sdk.Inventory{
		Facts: map[string]string{"os": "debian", "release": "12", "kernel": ""},
		Installed: []sdk.Installed{
			{ID: "bar", Name: "bar", Version: "1.0", Arch: "all"},
			{ID: "foo", Name: "foo", Version: "1.0", Arch: "all"},
		},
		Available: []sdk.Update{
			{ID: "bar", Name: "bar", From: "1.0", To: "2.0", Classification: ClassUpdates},
			{ID: "foo", Name: "foo", From: "1.0", To: "1.1", Classification: ClassSecurity},
		},
		Versions: map[string][]string{"bar": {"2.0", "1.0"}, "nosuch": {}},
	}
	if diff := cmp.Diff(want, inv, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("inventory (-want +got):\n%s", diff)
	}

	// A pending reboot, as Debian's notify-reboot-required leaves it.
	write(t, filepath.Join(r.Dir, "run/reboot-required"), "*** System restart required ***\n")
	write(t, filepath.Join(r.Dir, "run/reboot-required.pkgs"), "linux-image-6.1.0-28-amd64\nlibc6\n")
	inv, warnings = scan(t, cfg)
	if !inv.PendingReboot {
		t.Error("pending_reboot = false with /run/reboot-required")
	}
	if want := []string{"reboot required by: linux-image-6.1.0-28-amd64, libc6"}; !slices.Equal(warnings, want) {
		t.Errorf("warnings = %q, want %q", warnings, want)
	}
	if inv.Versions != nil {
		t.Errorf("versions without pins = %v, want absent", inv.Versions)
	}
}

func TestRealUpgrade(t *testing.T) {
	r, cfg := fooBar(t)
	rec := realRunner()
	results, events := apply(t, rec, cfg,
		sdk.Action{ID: "a/foo", Type: "upgrade", Package: "foo", From: "1.0", To: "1.1"},
		sdk.Action{ID: "a/bar", Type: "upgrade", Package: "bar", From: "1.0", To: "2.0"})
	for _, res := range results {
		if res.Status != sdk.StatusSucceeded {
			t.Errorf("%s: %s: %s", res.ActionID, res.Status, res.Message)
		}
	}
	if got, want := r.Installed(t), map[string]string{"foo": "1.1", "bar": "2.0"}; !maps.Equal(got, want) {
		t.Errorf("installed = %v, want %v", got, want)
	}
	if n := rec.count("apt-get", "install"); n != 1 {
		t.Errorf("%d apt-get install calls, want 1:\n%q", n, rec.argvs())
	}
	if n := len(rec.argvs()); n != 4 { // cat arch, dpkg-query, apt-get install, dpkg-query
		t.Errorf("%d commands, want 4:\n%q", n, rec.argvs())
	}
	var msgs []string
	for _, e := range events {
		msgs = append(msgs, e.ActionID+": "+e.Message)
	}
	want := []string{
		": apt-get install: 2 packages",
		"a/bar: Unpacking bar (2.0) over (1.0)",
		"a/foo: Unpacking foo (1.1) over (1.0)",
		"a/bar: Setting up bar (2.0)",
		"a/foo: Setting up foo (1.1)",
		": apt-get install: done",
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}

func TestRealDowngrade(t *testing.T) {
	r, cfg := fooBar(t)
	rec := realRunner()
	apply(t, rec, cfg, sdk.Action{ID: "up", Type: "upgrade", Package: "bar", To: "2.0"})
	// An upgrade to a lower version is refused: that is a downgrade's job.
	results, _ := apply(t, rec, cfg, sdk.Action{ID: "up", Type: "upgrade", Package: "bar", To: "1.0"})
	if results[0].Status != sdk.StatusFailed || !strings.Contains(results[0].Message, "plan a downgrade") {
		t.Errorf("upgrade 2.0 → 1.0: %+v", results[0])
	}
	results, _ = apply(t, rec, cfg, sdk.Action{ID: "down", Type: "downgrade", Package: "bar", From: "2.0", To: "1.0"})
	if results[0].Status != sdk.StatusSucceeded {
		t.Errorf("downgrade: %+v", results[0])
	}
	if got := r.Installed(t)["bar"]; got != "1.0" {
		t.Errorf("bar = %q after downgrade, want 1.0", got)
	}
	if c, ok := rec.find("apt-get", "install", "bar=1.0"); !ok || !slices.Contains(c.Cmd.Argv, "--allow-downgrades") {
		t.Errorf("downgrade argv lacks --allow-downgrades: %q", c.Cmd.Argv)
	}
}

func TestRealHold(t *testing.T) {
	r, cfg := fooBar(t)
	rec := realRunner()
	results, _ := apply(t, rec, cfg, sdk.Action{ID: "h", Type: "hold", Package: "foo"})
	if results[0].Status != sdk.StatusSucceeded {
		t.Fatalf("hold: %+v", results[0])
	}
	inv, _ := scan(t, cfg)
	if got := availableIDs(inv); !slices.Equal(got, []string{"bar"}) {
		t.Errorf("available with foo held = %q, want [bar]", got)
	}
	if !slices.ContainsFunc(inv.Installed, func(i sdk.Installed) bool { return i.ID == "foo" }) {
		t.Error("held foo is not listed installed")
	}

	// A held package is not changed.
	results, _ = apply(t, rec, cfg, sdk.Action{ID: "u", Type: "upgrade", Package: "foo", To: "1.1"})
	if results[0].Status != sdk.StatusFailed || !strings.HasPrefix(results[0].Message, "held:") {
		t.Errorf("upgrade of held foo: %+v", results[0])
	}
	if n := rec.count("apt-get", "install"); n != 0 {
		t.Errorf("apt-get install ran for a held package: %q", rec.argvs())
	}

	// Unhold, upgrade and hold again in one request.
	results, _ = apply(t, rec, cfg,
		sdk.Action{ID: "h", Type: "hold", Package: "foo"},
		sdk.Action{ID: "u", Type: "upgrade", Package: "foo", To: "1.1"},
		sdk.Action{ID: "x", Type: "unhold", Package: "foo"})
	for _, res := range results {
		if res.Status != sdk.StatusSucceeded {
			t.Errorf("%s: %s: %s", res.ActionID, res.Status, res.Message)
		}
	}
	if st := r.Status(t)["foo"]; st != (apttest.PkgStatus{Version: "1.1", State: "hi"}) {
		t.Errorf("foo = %+v, want 1.1 held", st)
	}
	checkStatusReaders(t, cfg)

	results, _ = apply(t, rec, cfg, sdk.Action{ID: "x", Type: "unhold", Package: "foo"})
	if results[0].Status != sdk.StatusSucceeded {
		t.Fatalf("unhold: %+v", results[0])
	}
	r.Publish(t, apttest.Security, apttest.Pkg{Name: "foo", Version: "1.2"})
	r.Update(t)
	inv, _ = scan(t, cfg)
	if got := availableIDs(inv); !slices.Equal(got, []string{"bar", "foo"}) {
		t.Errorf("available after unhold = %q, want [bar foo]", got)
	}
}

// TestRealBrokenPostinst: a package whose postinst fails, upgraded in one
// transaction with a good one. dpkg unpacks both, configures the good one
// (nothing ties it to the broken one) and leaves the broken one
// half-configured at its new version; apt-get exits 100. So the good
// action succeeds, the broken one fails with dpkg's words, and the next
// scan works and warns.
func TestRealBrokenPostinst(t *testing.T) {
	r := apttest.NewRoot(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "good", Version: "1.0"}, {Name: "broken", Version: "1.0"}},
		Stable:    []apttest.Pkg{{Name: "good", Version: "1.1"}, {Name: "broken", Version: "1.1", Postinst: "echo broken: configure failed >&2\nexit 1"}},
	})
	cfg := Config{Root: r.Dir}
	results, _ := apply(t, realRunner(), cfg,
		sdk.Action{ID: "broken", Type: "upgrade", Package: "broken", To: "1.1"},
		sdk.Action{ID: "good", Type: "upgrade", Package: "good", To: "1.1"})
	if results[0].Status != sdk.StatusFailed {
		t.Errorf("broken: %+v", results[0])
	}
	for _, want := range []string{
		"broken is 1.1 (half-configured), not 1.1 installed",
		"apt-get install exited with status 100",
		"installed broken package post-installation script subprocess returned error exit status 1",
	} {
		if !strings.Contains(results[0].Message, want) {
			t.Errorf("broken's message lacks %q:\n%s", want, results[0].Message)
		}
	}
	if results[1].Status != sdk.StatusSucceeded {
		t.Errorf("good: %+v", results[1])
	}
	st := r.Status(t)
	if want := (apttest.PkgStatus{Version: "1.1", State: "ii"}); st["good"] != want {
		t.Errorf("good = %+v, want %+v", st["good"], want)
	}
	if want := (apttest.PkgStatus{Version: "1.1", State: "iF"}); st["broken"] != want {
		t.Errorf("broken = %+v, want %+v", st["broken"], want)
	}
	checkStatusReaders(t, cfg)
	inv, warnings := scan(t, cfg)
	if want := []string{"broken is not fully installed: 1.1 (half-configured)"}; !slices.Equal(warnings, want) {
		t.Errorf("warnings = %q, want %q", warnings, want)
	}
	if len(inv.Installed) != 1 || inv.Installed[0].ID != "good" || len(inv.Available) != 0 {
		t.Errorf("inventory after the failure: installed %+v, available %+v", inv.Installed, inv.Available)
	}
}

func TestRealInvalid(t *testing.T) {
	r, cfg := fooBar(t)
	rec := realRunner()
	results, _ := apply(t, rec, cfg,
		sdk.Action{ID: "name", Type: "upgrade", Package: "-oDir=/", To: "1.1"},
		sdk.Action{ID: "version", Type: "upgrade", Package: "foo", To: "1.1 --allow-unauthenticated"},
		sdk.Action{ID: "good", Type: "upgrade", Package: "bar", To: "2.0"})
	got := statuses(results)
	want := map[string]sdk.Status{"name": sdk.StatusFailed, "version": sdk.StatusFailed, "good": sdk.StatusSucceeded}
	if !maps.Equal(got, want) {
		t.Errorf("statuses = %v, want %v (%+v)", got, want, results)
	}
	for _, argv := range rec.argvs() {
		for _, a := range argv {
			if strings.Contains(a, "-oDir=/") || strings.Contains(a, "--allow-unauthenticated") {
				t.Errorf("invalid input reached a command: %q", argv)
			}
		}
	}
	if got := r.Installed(t); got["foo"] != "1.0" || got["bar"] != "2.0" {
		t.Errorf("installed = %v", got)
	}
}

func TestRealCancelled(t *testing.T) {
	r, cfg := fooBar(t)
	before := r.Status(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := realRunner()
	results, err := Apply(ctx, rec, cfg, []sdk.Action{
		{ID: "u", Type: "upgrade", Package: "foo", To: "1.1"},
		{ID: "h", Type: "hold", Package: "bar"},
	}, nil, nil)
	if err != nil {
		t.Errorf("err = %v; the results say it", err)
	}
	for _, res := range results {
		if res.Status != sdk.StatusInterrupted {
			t.Errorf("%+v, want interrupted", res)
		}
	}
	if len(rec.argvs()) != 0 {
		t.Errorf("commands ran: %q", rec.argvs())
	}
	if after := r.Status(t); !maps.Equal(before, after) {
		t.Errorf("root changed: %v → %v", before, after)
	}
}

func TestRealRebootAlternateRoot(t *testing.T) {
	_, cfg := fooBar(t)
	rec := realRunner()
	results, _ := apply(t, rec, cfg, sdk.Action{ID: "r", Type: "reboot"})
	if want := (sdk.ActionResult{ActionID: "r", Status: sdk.StatusSkipped, Message: "alternate root: nothing to reboot"}); results[0] != want {
		t.Errorf("reboot = %+v, want %+v", results[0], want)
	}
	if len(rec.argvs()) != 0 {
		t.Errorf("commands ran: %q", rec.argvs())
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRealClearHooks checks, with apt-config, that apt commands on an
// alternate root see none of the machine's hooks (this machine may have
// some in /etc/apt/apt.conf.d: dpkg-preconfigure, cache cleaners).
func TestRealClearHooks(t *testing.T) {
	r, _ := fooBar(t)
	tg := target{root: r.Dir, archs: []string{r.Arch}}
	res, err := sdk.Check(context.Background(), local.Runner{}, tg.apt("apt-config", "dump"))
	if err != nil {
		t.Fatal(err)
	}
	dump := string(res.Stdout)
	for _, hook := range []string{"DPkg::Pre-Invoke", "DPkg::Pre-Install-Pkgs", "DPkg::Post-Invoke",
		"APT::Update::Pre-Invoke", "APT::Update::Post-Invoke", "APT::Update::Post-Invoke-Success"} {
		if strings.Contains(dump, "\n"+hook+":: ") {
			t.Errorf("%s is set for the root:\n%s", hook, dump)
		}
	}
	for _, want := range []string{`Dir "` + r.Dir + `";`, `APT::Architectures:: "` + r.Arch + `";`} {
		if !strings.Contains(dump, want) {
			t.Errorf("apt-config dump lacks %s", want)
		}
	}
}

// checkStatusReaders checks that reading dpkg's status file gives what
// dpkg-query gives.
func checkStatusReaders(t *testing.T, cfg Config) {
	t.Helper()
	ctx := context.Background()
	tg := target{root: cfg.Root}
	want, err := queryStatus(ctx, local.Runner{}, tg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := grepStatus(ctx, local.Runner{}, tg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseStatusFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status file (-dpkg-query +grep):\n%s", diff)
	}
}
