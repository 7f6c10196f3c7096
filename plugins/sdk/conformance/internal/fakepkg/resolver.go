package fakepkg

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Bugs of a Resolver.
const (
	BugResolveBadChanges = "resolve_bad_changes" // unknown kinds, upgrades that go down, RequiredBy naming no planned package
	BugResolveWrites     = "resolve_writes"      // Resolve installs what it resolves
	BugIgnoreExpected    = "ignore_expected"     // Apply ignores ApplyRequest.Expected
)

// EnvResolve is the environment variable that, set to 1, makes the test
// provider binary a Resolver.
const EnvResolve = "FAKEPKG_RESOLVE"

// Resolver is a Provider that also resolves transactions: each action is
// its package's change, checked against the host's offers, and Apply
// refuses a request whose Expected transaction is not that.
type Resolver struct {
	*Provider
}

// Resolve implements sdk.Resolver.
func (p Resolver) Resolve(ctx context.Context, req *sdk.ResolveRequest) (*sdk.ResolveResponse, error) {
	out, err := p.run(ctx, req.Runner, "pkg", "list")
	if err != nil {
		return nil, fmt.Errorf("listing packages: %w", err)
	}
	installed := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			installed[f[0]] = f[1]
		}
	}
	var resp sdk.ResolveResponse
	for _, a := range req.Actions {
		offers, err := p.run(ctx, req.Runner, "pkg", "versions", a.Package)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(strings.Fields(offers), a.To) {
			return nil, fmt.Errorf("pkg: %s %s is not offered", a.Package, a.To)
		}
		resp.Changes = append(resp.Changes, change(a.Package, installed[a.Package], a.To))
		if p.Bug == BugResolveWrites {
			if _, err := p.run(ctx, req.Runner, "pkg", "install", a.Package, a.To); err != nil {
				return nil, err
			}
		}
	}
	if p.Bug == BugResolveBadChanges {
		resp.Changes = append(resp.Changes,
			sdk.Change{Package: "x", Kind: "update", To: "1"},
			sdk.Change{Package: "y", Kind: sdk.ChangeUpgrade, From: "3", To: "2", RequiredBy: []string{"nobody"}})
	}
	return &resp, nil
}

// change is the change of pkg from version from ("" when not installed)
// to version to.
func change(pkg, from, to string) sdk.Change {
	c := sdk.Change{Package: pkg, From: from, To: to, Kind: sdk.ChangeInstall}
	if from != "" {
		f, _ := strconv.Atoi(from)
		t, _ := strconv.Atoi(to)
		c.Kind = sdk.ChangeUpgrade
		if t < f {
			c.Kind = sdk.ChangeDowngrade
		}
	}
	return c
}

// Apply implements sdk.Provider: with Expected, it resolves first and
// applies nothing when the transaction differs.
func (p Resolver) Apply(ctx context.Context, req *sdk.ApplyRequest, progress sdk.ProgressFunc) (*sdk.ApplyResponse, error) {
	if len(req.Expected) > 0 && p.Bug != BugIgnoreExpected {
		now, err := p.Resolve(ctx, &sdk.ResolveRequest{Host: req.Host, Actions: req.Actions, Runner: req.Runner})
		if err != nil {
			return nil, err
		}
		if diff := sdk.DiffChanges(req.Expected, now.Changes); len(diff) > 0 {
			var resp sdk.ApplyResponse
			for _, a := range req.Actions {
				resp.Results = append(resp.Results, sdk.ActionResult{ActionID: a.ID, Status: sdk.StatusFailed, Message: sdk.TransactionChangedError(diff)})
			}
			return &resp, nil
		}
	}
	return p.Provider.Apply(ctx, req, progress)
}
