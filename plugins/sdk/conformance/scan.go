package conformance

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/plugins/sdk"
)

// checkScan scans twice through runner: the inventories must be equal and
// sane. It returns the second, nil when a scan failed.
func checkScan(t tb, p *launched, tc *TestCase, runner sdk.Runner) *sdk.Inventory {
	t.Helper()
	type scan struct {
		Inventory *sdk.Inventory
		Warnings  []string
	}
	var scans [2]scan
	for i := range scans {
		ctx, cancel := withTimeout()
		inv, warns, err := p.Scan(ctx, tc.Host, tc.Pins, runner)
		cancel()
		reportMisses(t, runner)
		if err != nil {
			t.Errorf("scan %d of 2: %v", i+1, err)
			return nil
		}
		scans[i] = scan{inv, warns}
	}
	if diff := cmp.Diff(scans[0], scans[1]); diff != "" {
		t.Errorf("two scans of the same host state differ (-first +second); a scan must be deterministic, sorted, with no timestamps of its own:\n%s", diff)
	}
	ctx, cancel := withTimeout()
	defer cancel()
	sc, err := p.Schema(ctx)
	if err != nil {
		t.Errorf("GetSchema: %v", err)
		return nil
	}
	for _, problem := range inventoryProblems(scans[0].Inventory, tc.Pins, sc.VersionScheme) {
		t.Errorf("inventory: %s", problem)
	}
	return scans[1].Inventory
}

// inventoryProblems lists what is wrong with an inventory scanned with
// pins, from a provider whose schema declares version scheme scheme.
func inventoryProblems(inv *sdk.Inventory, pins []string, scheme sdk.VersionScheme) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if inv.VersionScheme != scheme {
		add("version scheme %q, but the schema declares %q; an inventory reports the scheme the schema declares (sdk.Serve fills it in)", inv.VersionScheme, scheme)
	}
	installed := map[[2]string]bool{}
	for i, it := range inv.Installed {
		if it.Name == "" || it.Version == "" {
			add("installed[%d] (id %q) needs a name and a version, got name %q, version %q", i, it.ID, it.Name, it.Version)
		}
		installed[[2]string{it.Name, it.Version}] = true
	}
	updates := map[[2]string]bool{}
	for i, u := range inv.Available {
		if u.Name == "" || u.To == "" {
			add("available[%d] (id %q) needs a name and a to version, got name %q, to %q", i, u.ID, u.Name, u.To)
			continue
		}
		if updates[[2]string{u.Name, u.To}] {
			add("update %s to %s is listed twice", u.Name, u.To)
		}
		updates[[2]string{u.Name, u.To}] = true
		switch {
		case u.From == "":
		case u.From == u.To:
			add("update %s goes from %s to the same version", u.Name, u.From)
		case !installed[[2]string{u.Name, u.From}]:
			add("update %s from %s to %s: no installed item %s at version %s (an update with a from must upgrade something installed; leave from empty for a new install)",
				u.Name, u.From, u.To, u.Name, u.From)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(inv.Versions)) {
		if !slices.Contains(pins, name) {
			add("versions lists %q, which is not among the requested pins %q; list offered versions only for pins", name, pins)
		}
	}
	return out
}

// errCommandsFail is what failingRunner answers.
var errCommandsFail = errors.New("conformance: this check makes every command fail")

// failingRunner fails every command: with an error (the command could not
// be run), or, with exit set, as a command exiting 1.
type failingRunner struct{ exit bool }

func (r failingRunner) Run(_ context.Context, c sdk.Cmd) (sdk.Result, error) {
	if r.exit {
		return sdk.Result{ExitCode: 1, Stderr: []byte("conformance: simulated failure of " + c.String() + "\n")}, nil
	}
	return sdk.Result{}, errCommandsFail
}

// checkScanErrors scans with every command failing: the scan must fail
// with an error, and the provider must survive it.
func checkScanErrors(t tb, p *launched, tc *TestCase) {
	t.Helper()
	for _, v := range []struct {
		name   string
		runner failingRunner
		what   string
	}{
		{"runner_error", failingRunner{}, "returns an error (the command could not be run)"},
		{"exit_status", failingRunner{exit: true}, "exits 1"},
	} {
		if p.Exited() {
			return
		}
		t.Run(v.name, func(t tb) {
			ctx, cancel := withTimeout()
			defer cancel()
			inv, _, err := p.Scan(ctx, tc.Host, tc.Pins, v.runner)
			if alive := checkAlive(t, p, "a scan whose every command "+v.what); !alive {
				return
			}
			if err == nil {
				t.Errorf("every command %s, yet Scan returned no error (inventory %d installed, %d available): a provider must not report an empty or partial inventory as a success; use sdk.Check",
					v.what, len(inv.Installed), len(inv.Available))
			}
		})
	}
}

// checkAlive fails t when the provider process has exited or no longer
// answers, after what.
func checkAlive(t tb, p *launched, what string) bool {
	t.Helper()
	time.Sleep(100 * time.Millisecond) // a process about to die gets the time to
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := p.Schema(ctx)
	if err == nil && !p.Exited() {
		return true
	}
	// A dying process may not have been reaped yet.
	for deadline := time.Now().Add(2 * time.Second); !p.Exited() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if p.Exited() {
		t.Errorf("the provider process exited after %s; it must report errors, not crash", what)
	} else {
		t.Errorf("the provider no longer answers after %s: %v", what, err)
	}
	return false
}
