package conformance

import (
	stdcmp "cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/version"
	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/sdk"
)

// ResolveStep is one Resolve call, made against the scanned state before
// the apply steps.
type ResolveStep struct {
	Name    string
	Actions []sdk.Action
	// Want, when not nil, is the transaction Resolve must return, in order.
	Want []sdk.Change
	// WantError says Resolve must fail (an unsatisfiable transaction).
	WantError bool
}

// resolveSteps are tc.Resolve or, when it is empty, the first apply
// step's actions.
func (tc *TestCase) resolveSteps() []ResolveStep {
	if len(tc.Resolve) > 0 || len(tc.Apply) == 0 {
		return tc.Resolve
	}
	return []ResolveStep{{Name: tc.Apply[0].Name, Actions: tc.Apply[0].Actions}}
}

// resolve asks for the transaction of actions; supported is false for a
// provider without Resolve.
func resolve(p *launched, tc *TestCase, actions []sdk.Action, runner sdk.Runner) (changes []sdk.Change, supported bool, err error) {
	ctx, cancel := withTimeout()
	defer cancel()
	changes, _, err = p.Resolve(ctx, tc.Host, actions, runner)
	if errors.Is(err, loader.ErrResolveUnsupported) {
		return nil, false, nil
	}
	return changes, true, err
}

// checkResolve runs the resolve steps through runner: a provider without
// Resolve is fine; one with it must return a sane transaction (or the
// wanted one, or an error when one is wanted) and change nothing: a scan
// after the steps equals the scan before (before, the scan check's).
func checkResolve(t tb, p *launched, tc *TestCase, runner sdk.Runner, before *sdk.Inventory) {
	t.Helper()
	steps := tc.resolveSteps()
	if len(steps) == 0 {
		t.Logf("no resolve or apply steps: Resolve not checked")
		return
	}
	ctx, cancel := withTimeout()
	sc, err := p.Schema(ctx)
	cancel()
	if err != nil {
		t.Fatalf("GetSchema: %v", err)
	}
	resolved := false
	for _, step := range steps {
		t.Run(step.Name, func(t tb) {
			changes, supported, err := resolve(p, tc, step.Actions, runner)
			reportMisses(t, runner)
			resolved = resolved || supported
			switch {
			case !supported:
				t.Logf("the provider has no Resolve: tend cannot show or check what its actions pull in")
			case step.WantError && err == nil:
				t.Errorf("Resolve returned %d changes; want an error (the package manager's explanation)", len(changes))
			case step.WantError && strings.TrimSpace(err.Error()) == "":
				t.Errorf("Resolve failed without saying why")
			case step.WantError:
			case err != nil:
				t.Errorf("Resolve: %v", err)
			default:
				for _, problem := range changeProblems(changes, step.Actions, sc.VersionScheme) {
					t.Errorf("%s", problem)
				}
				if d := cmp.Diff(step.Want, changes); step.Want != nil && d != "" {
					t.Errorf("Resolve (-want +got):\n%s", d)
				}
			}
		})
		if p.Exited() {
			return
		}
	}
	if !resolved || before == nil {
		return
	}
	if after := scanOnce(t, p, tc, runner); after != nil {
		if d := cmp.Diff(before, after); d != "" {
			t.Errorf("the inventory changed across Resolve (-before +after); Resolve must be read-only, a simulation:\n%s", d)
		}
	}
}

// scanOnce scans through runner; nil after a failure (reported).
func scanOnce(t tb, p *launched, tc *TestCase, runner sdk.Runner) *sdk.Inventory {
	t.Helper()
	ctx, cancel := withTimeout()
	defer cancel()
	inv, _, err := p.Scan(ctx, tc.Host, tc.Pins, runner)
	reportMisses(t, runner)
	if err != nil {
		t.Errorf("scan around Resolve: %v", err)
		return nil
	}
	return inv
}

// changeProblems lists what is wrong with a transaction resolved for
// actions by a provider whose versions compare by scheme: unknown kinds,
// versions that do not fit the kind, a package changed twice, RequiredBy
// naming packages that were not planned.
func changeProblems(changes []sdk.Change, actions []sdk.Action, scheme sdk.VersionScheme) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	planned := map[string]bool{}
	for _, a := range actions {
		planned[a.Package] = true
		name, _, _ := strings.Cut(a.Package, ":") // apt's "libc6:i386"
		planned[name] = true
	}
	seen := map[string]bool{}
	for i, c := range changes {
		if c.Package == "" {
			add("changes[%d] has no package", i)
		}
		if seen[c.Package] {
			add("package %q is changed twice in one transaction", c.Package)
		}
		seen[c.Package] = true
		if problem := kindProblem(c, scheme); problem != "" {
			add("change of %q: %s", c.Package, problem)
		}
		for _, by := range c.RequiredBy {
			if !planned[by] {
				add("change of %q is required by %q, which is not a planned package; RequiredBy names the planned packages a change is for", c.Package, by)
			}
		}
		if slices.Contains(c.RequiredBy, c.Package) {
			add("change of %q names itself in RequiredBy", c.Package)
		}
	}
	return out
}

// kindProblem says what is wrong with c's kind and versions, "" if
// nothing: an upgrade must go up and a downgrade down, where scheme orders
// versions.
func kindProblem(c sdk.Change, scheme sdk.VersionScheme) string {
	switch c.Kind {
	case sdk.ChangeInstall:
		if c.From != "" || c.To == "" {
			return fmt.Sprintf("an install has no from and a to version, got from %q, to %q", c.From, c.To)
		}
	case sdk.ChangeUpgrade, sdk.ChangeDowngrade:
		if c.From == "" || c.To == "" || c.From == c.To {
			return fmt.Sprintf("an %s has two different versions, got from %q, to %q", c.Kind, c.From, c.To)
		}
		order, err := version.Compare(scheme, c.To, c.From)
		if err == nil && (order > 0) != (c.Kind == sdk.ChangeUpgrade) {
			return fmt.Sprintf("%s → %s is not an %s in the %s version order", c.From, c.To, c.Kind, stdcmp.Or(scheme, sdk.VersionDebian))
		}
	case sdk.ChangeRemove:
		if c.From == "" || c.To != "" {
			return fmt.Sprintf("a removal has a from and no to version, got from %q, to %q", c.From, c.To)
		}
	default:
		return fmt.Sprintf("kind %q is not install, upgrade, downgrade or remove", c.Kind)
	}
	return ""
}

// notPlanned is the change checkStaleExpected adds to a transaction.
var notPlanned = sdk.Change{Package: "conformance-not-planned", Kind: sdk.ChangeInstall, To: "1"}

// checkStaleExpected applies the first apply step's actions from a fresh
// replay with an expected transaction the provider will not resolve (its
// own plus a package it never heard of): every action must fail, with a
// message, before anything changes.
func checkStaleExpected(t tb, p *launched, tc *TestCase) {
	t.Helper()
	if len(tc.Apply) == 0 {
		t.Logf("no apply steps: the expected transaction not checked")
		return
	}
	actions := tc.Apply[0].Actions
	rp, err := tc.replay()
	if err != nil {
		t.Fatalf("%v", err)
	}
	changes, supported, err := resolve(p, tc, actions, rp)
	switch {
	case !supported:
		t.Logf("the provider has no Resolve: the expected transaction not checked")
		return
	case err != nil:
		t.Logf("Resolve of the first apply step failed, so the expected transaction is not checked: %v", err)
		return
	}
	ctx, cancel := withTimeout()
	defer cancel()
	r := apply(ctx, p, tc, actions, append(changes, notPlanned), rp, nil)
	for _, problem := range r.shapeProblems(actions) {
		t.Errorf("%s", problem)
	}
	for _, res := range r.results {
		if res.Status != sdk.StatusFailed {
			t.Errorf("applied with an expected transaction that differs from the provider's own (it adds %s), action %q is %s; every action must fail, naming the difference, and nothing change",
				notPlanned.Package, res.ActionID, res.Status)
		}
	}
}
