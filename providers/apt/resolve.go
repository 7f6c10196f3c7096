package apt

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Resolve asks apt itself which transaction actions would be on the
// target, read-only: the same apt-get install command line Apply runs,
// with --simulate (simulateOptions), against the target's root. It
// returns every package the transaction installs, upgrades, downgrades or
// removes, the planned ones included, each dependency with the planned
// package that requires it as apt said.
//
// The actions go through Apply's checks first: an action Apply would fail
// without running apt (invalid, on hold, going down without being a
// downgrade) is left out and named in a warning, one already done is left
// out silently, so the simulation is of the transaction Apply would run.
// A transaction apt cannot satisfy is an error quoting apt's explanation.
// Hold, unhold and reboot actions change no package version and are not
// part of the transaction.
func Resolve(ctx context.Context, r sdk.Runner, cfg Config, actions []sdk.Action) ([]sdk.Change, []string, error) {
	if r == nil {
		return nil, nil, errors.New("apt: Resolve needs a runner")
	}
	t, err := newTarget(cfg)
	if err != nil {
		return nil, nil, err
	}
	a := &applier{ctx: ctx, r: r, t: t, actions: actions, progress: func(sdk.Progress) {},
		results: make([]sdk.ActionResult, len(actions))}
	a.validate()
	changes, _, unholds, _ := a.groups()
	left, err := a.transaction(changes, unholds)
	if err != nil {
		return nil, nil, err
	}
	txn, err := a.simulate(left)
	if err != nil {
		return nil, nil, err
	}
	var warns []string
	for i, res := range a.results {
		if res.Status == sdk.StatusFailed {
			warns = append(warns, fmt.Sprintf("%s: not part of the transaction: %s", actions[i].ID, res.Message))
		}
	}
	return txn, warns, nil
}

// transaction reads the state of the changes' packages and returns the
// changes apt-get install would be run for (precheck), counting packages
// the request unholds as unheld.
func (a *applier) transaction(changes, unholds []int) ([]int, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	if err := a.t.readArchs(a.ctx, a.r); err != nil {
		return nil, err
	}
	var ok bool
	if a.before, ok = a.query(changes); !ok {
		return nil, a.err
	}
	return a.precheck(changes, a.packagesOf(unholds)), nil
}

// simulate runs apt-get install for changes as a simulation and returns
// the transaction apt resolved.
func (a *applier) simulate(changes []int) ([]sdk.Change, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	opts := simulateOptions
	if slices.ContainsFunc(changes, func(i int) bool { return slices.ContainsFunc(states(a.before, a.actions[i].Package), pkgState.Held) }) {
		// Held and still in the transaction: the request unholds it
		// first (precheck), which the simulation cannot wait for.
		opts = append(slices.Clone(opts), "--allow-change-held-packages")
	}
	args := a.installArgs(changes, opts...)
	res, err := a.r.Run(a.ctx, a.t.apt("apt-get", args...))
	if err != nil {
		return nil, fmt.Errorf("apt-get --simulate: %w", err)
	}
	if res.ExitCode != 0 {
		return nil, simulationError(args[len(args)-len(changes)-1:], res)
	}
	var planned []string
	for _, i := range changes {
		planned = append(planned, baseName(a.actions[i].Package))
	}
	return parseSimulation(string(res.Stdout), string(res.Stderr), planned), nil
}

// checkExpected resolves the transaction again before anything changes
// and, when it is not the expected one (ApplyRequest.Expected) or cannot
// be resolved, fails every pending action with the difference and
// returns false: nothing is then installed, held or unheld.
func (a *applier) checkExpected(expected []sdk.Change, changes, unholds []int) bool {
	a.progress(sdk.Progress{Message: "apt-get --simulate: checking the transaction against the plan"})
	left := a.precheck(changes, a.packagesOf(unholds))
	txn, err := a.simulate(left)
	msg := ""
	switch {
	case err != nil:
		msg = "the transaction could not be resolved again, so nothing was changed: " + err.Error()
	case len(sdk.DiffChanges(expected, txn)) > 0:
		msg = sdk.TransactionChangedError(sdk.DiffChanges(expected, txn))
	default:
		return true
	}
	for i := range a.results {
		a.set(i, sdk.StatusFailed, msg)
	}
	return false
}

// packagesOf lists the packages of actions idx.
func (a *applier) packagesOf(idx []int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, a.actions[i].Package)
	}
	return out
}
