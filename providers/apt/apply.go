package apt

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tend-sh/tend/core/debversion"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/sdk"
)

// tailLines is how much of a failed command's output a message quotes.
const tailLines = 20

// Apply carries out actions on the target and returns one result per
// action, in order.
//
// Actions are checked first (type, package name, version: an invalid one
// fails alone and nothing of it reaches a command line). Then, with one
// dpkg-query reading the packages' state before and one after:
//
//  1. unhold actions: one `apt-mark unhold`;
//  2. install, upgrade and downgrade actions: one `apt-get install
//     pkg=version …` transaction (--allow-downgrades only when a downgrade
//     is asked for; a package on hold is not changed: its action fails).
//     A downgrade to a version the sources no longer offer installs the
//     .deb apt's package cache kept of it; when neither has it, the
//     transaction is not run and every change fails, the downgrade naming
//     the version that cannot be had (see downgradeSources);
//  3. hold actions: one `apt-mark hold`;
//  4. reboot actions: one `systemctl reboot` for root "/", last and
//     whatever became of the other actions (unless ctx ended); skipped
//     for an alternate root.
//
// With expected (ApplyRequest.Expected) not empty, the transaction is
// first resolved again as Resolve does, right after the first
// dpkg-query; when apt's resolution differs from expected, or apt cannot
// resolve it, nothing is run at all: every action fails with the
// difference (sdk.DiffChanges).
//
// Unholds go before the transaction and holds after it, so "unhold,
// upgrade, hold" of one package works in one request. A change succeeds
// when dpkg then has the package installed at the target version, a hold
// when dpkg has it on hold, an unhold when apt-mark succeeded; a failure's
// message quotes the end of apt's output. Progress events come before each
// command and, after the transaction, for each package apt unpacked and
// set up (the runner hands over apt's output when apt has finished).
//
// A package whose maintainer script fails stays half-configured at its
// new version and fails its action; the other packages of the transaction
// are unpacked and configured as far as they do not depend on it, and
// succeed. apt-get then exits 100 on every later run that has to
// configure the broken package, which fails nothing else: actions are
// judged by dpkg's state, not by apt's exit status.
//
// Everything that goes wrong on the host is in the results: when ctx ends,
// the actions not carried out are interrupted; when the runner fails (the
// host may be unreachable), they fail with its error. So the results are
// always complete and are what a provider should return; the error is only
// for a call without a runner.
func Apply(ctx context.Context, r sdk.Runner, cfg Config, actions []sdk.Action, expected []sdk.Change, progress sdk.ProgressFunc) ([]sdk.ActionResult, error) {
	if r == nil {
		return nil, errors.New("apt: Apply needs a runner")
	}
	if progress == nil {
		progress = func(sdk.Progress) {}
	}
	t, err := newTarget(cfg)
	a := &applier{ctx: ctx, r: r, t: t, actions: actions, expected: expected, progress: progress,
		results: make([]sdk.ActionResult, len(actions)), debs: map[int]string{}}
	for i, act := range actions {
		a.results[i].ActionID = act.ID
		if err != nil {
			a.set(i, sdk.StatusFailed, err.Error())
		}
	}
	a.run()
	return a.results, nil
}

// applier is one Apply call's state.
type applier struct {
	ctx      context.Context
	r        sdk.Runner
	t        target
	actions  []sdk.Action
	expected []sdk.Change // the transaction the plan showed; nil: no check
	results  []sdk.ActionResult
	progress sdk.ProgressFunc
	err      error // the first runner error, or ctx's, for the results of what it stopped
	// before and after are dpkg's view of the actions' packages.
	before, after []pkgState
	// aptOut is the end of the transaction's output, for failures.
	aptOut string
	// debs are the cached .deb files downgrades install from, by action
	// index (see downgradeSources).
	debs map[int]string
}

func (a *applier) run() {
	if !a.alive() {
		return
	}
	a.validate()
	changes, holds, unholds, reboots := a.groups()
	if len(changes)+len(holds)+len(unholds) > 0 {
		a.packages(changes, holds, unholds)
		a.finishAll(changes, holds, unholds)
	}
	a.reboot(reboots)
	a.finishAll(reboots)
}

// packages carries out the unholds, the transaction and the holds, and
// judges them by dpkg's state afterwards.
func (a *applier) packages(changes, holds, unholds []int) {
	if err := a.t.readArchs(a.ctx, a.r); err != nil {
		a.setErr(err)
		return
	}
	var ok bool
	if a.before, ok = a.query(append(append(slices.Clone(changes), holds...), unholds...)); !ok {
		return
	}
	if len(a.expected) > 0 && !a.checkExpected(a.expected, changes, unholds) {
		return
	}
	unheld := a.mark("unhold", a.checkInstalled(unholds, nil))
	for _, i := range unholds {
		if slices.Contains(unheld, a.actions[i].Package) {
			// Judged now: a hold later in the request may hold it again.
			a.set(i, sdk.StatusSucceeded, a.actions[i].Package+" is no longer on hold")
		}
	}
	a.install(a.downgradeSources(a.precheck(changes, unheld)))
	a.mark("hold", a.checkInstalled(holds, changes))
	a.verify(changes, holds)
}

// alive checks ctx and, when it has ended, marks every pending action
// interrupted.
func (a *applier) alive() bool {
	if err := a.ctx.Err(); err != nil {
		a.setErr(err)
		for i := range a.results {
			a.set(i, sdk.StatusInterrupted, "not started: "+err.Error())
		}
		return false
	}
	return true
}

func (a *applier) setErr(err error) {
	if a.err == nil {
		a.err = err
	}
}

// set gives action i its result unless it has one.
func (a *applier) set(i int, status sdk.Status, msg string) {
	if a.results[i].Status == "" {
		a.results[i].Status, a.results[i].Message = status, msg
	}
}

func (a *applier) pending(i int) bool { return a.results[i].Status == "" }

// finishAll fails whatever is still pending among idx groups: interrupted
// when ctx has ended, failed with the runner's error otherwise.
func (a *applier) finishAll(groups ...[]int) {
	for _, g := range groups {
		for _, i := range g {
			switch {
			case a.ctx.Err() != nil:
				a.set(i, sdk.StatusInterrupted, "interrupted: "+a.ctx.Err().Error())
			case a.err != nil:
				a.set(i, sdk.StatusFailed, a.err.Error())
			default:
				a.set(i, sdk.StatusFailed, "not carried out")
			}
		}
	}
}

// validate fails invalid actions and second changes of one package.
func (a *applier) validate() {
	seen := map[string]string{}
	for i, act := range a.actions {
		if err := validateAction(act); err != nil {
			a.set(i, sdk.StatusFailed, err.Error())
			continue
		}
		if !isChange(act.Type) {
			continue
		}
		name, _ := splitArch(act.Package)
		if other, ok := seen[name]; ok {
			a.set(i, sdk.StatusFailed, fmt.Sprintf("%s is already changed by action %q in this request", name, other))
			continue
		}
		seen[name] = act.ID
	}
}

// groups sorts the pending actions by what carries them out.
func (a *applier) groups() (changes, holds, unholds, reboots []int) {
	for i, act := range a.actions {
		if !a.pending(i) {
			continue
		}
		switch {
		case isChange(act.Type):
			changes = append(changes, i)
		case act.Type == model.ActionHold:
			holds = append(holds, i)
		case act.Type == model.ActionUnhold:
			unholds = append(unholds, i)
		case act.Type == model.ActionReboot:
			reboots = append(reboots, i)
		}
	}
	return changes, holds, unholds, reboots
}

// runCmd runs c for the actions idx; a runner error (not a non-zero exit)
// ends them.
func (a *applier) runCmd(c sdk.Cmd, idx []int) (sdk.Result, bool) {
	res, err := a.r.Run(a.ctx, c)
	if err != nil {
		a.setErr(fmt.Errorf("%s: %w", c.Argv[0], err))
		a.finishAll(idx)
		return res, false
	}
	return res, true
}

// query reads the dpkg state of the actions' packages (one dpkg-query).
func (a *applier) query(idx []int) ([]pkgState, bool) {
	var names []string
	for _, i := range idx {
		if p := a.actions[i].Package; !slices.Contains(names, p) {
			names = append(names, p)
		}
	}
	slices.Sort(names)
	res, ok := a.runCmd(a.t.dpkgQuery(append([]string{"-W", "-f", statusFormat}, names...)...), idx)
	if !ok {
		return nil, false
	}
	// Exit status 1: some packages are unknown to dpkg, which is fine.
	if res.ExitCode > 1 {
		a.setErr(&sdk.ExitError{Cmd: sdk.Cmd{Argv: []string{"dpkg-query"}}, Result: res})
		a.finishAll(idx)
		return nil, false
	}
	pkgs, err := parseStatus(string(res.Stdout))
	if err != nil {
		a.setErr(err)
		a.finishAll(idx)
		return nil, false
	}
	return pkgs, true
}

// states are the entries of pkgs for an action's package ("name" or
// "name:arch").
func states(pkgs []pkgState, pkg string) []pkgState {
	name, arch := splitArch(pkg)
	var out []pkgState
	for _, p := range pkgs {
		if p.Name == name && (arch == "" || p.Arch == arch) {
			out = append(out, p)
		}
	}
	return out
}

// precheck settles the changes apt need not or must not make: packages
// already at their target (skipped: nothing to do), packages on hold (failed), and
// upgrades or installs that would go down (failed: that is a downgrade's
// job). It returns the changes left for the transaction.
func (a *applier) precheck(changes []int, unheld []string) []int {
	var left []int
	for _, i := range changes {
		act := a.actions[i]
		cur := states(a.before, act.Package)
		held := slices.IndexFunc(cur, pkgState.Held)
		higher := slices.IndexFunc(cur, func(p pkgState) bool {
			return p.Installed() && debversion.Compare(act.To, p.Version) < 0
		})
		switch {
		case slices.ContainsFunc(cur, func(p pkgState) bool { return p.OK() && p.Version == act.To }):
			a.set(i, sdk.StatusSkipped, fmt.Sprintf("%s is already at %s", act.Package, act.To))
		case held >= 0 && !slices.Contains(unheld, act.Package):
			a.set(i, sdk.StatusFailed, fmt.Sprintf("held: %s is on hold at %s; unhold it to change it", act.Package, cur[held].Version))
		case higher >= 0 && act.Type != model.ActionDowngrade:
			a.set(i, sdk.StatusFailed, fmt.Sprintf("%s of %s to %s would go down from %s: plan a downgrade",
				act.Type, act.Package, act.To, cur[higher].Version))
		default:
			left = append(left, i)
		}
	}
	return left
}

// install runs the one apt-get install transaction for changes.
func (a *applier) install(changes []int) {
	if len(changes) == 0 || !a.alive() {
		return
	}
	args := a.installArgs(changes)
	a.progress(sdk.Progress{Message: fmt.Sprintf("apt-get install: %d packages", len(changes))})
	res, ok := a.runCmd(a.t.apt("apt-get", args...), changes)
	if !ok {
		return
	}
	out := string(res.Stdout) + string(res.Stderr)
	for _, s := range parseSteps(string(res.Stdout)) {
		for _, i := range changes {
			if name, _ := splitArch(a.actions[i].Package); name == s.Name {
				a.progress(sdk.Progress{ActionID: a.actions[i].ID, Message: s.Line})
			}
		}
	}
	if res.ExitCode != 0 {
		a.aptOut = fmt.Sprintf("apt-get install exited with status %d:\n%s", res.ExitCode, tail(out, tailLines))
		a.progress(sdk.Progress{Message: fmt.Sprintf("apt-get install: failed (exit status %d)", res.ExitCode)})
		return
	}
	a.progress(sdk.Progress{Message: "apt-get install: done"})
}

// installArgs is the apt-get command line of the one transaction that
// carries out changes: options, then extra (a simulation's), then install
// pkg=version … (or the cached .deb a downgrade installs from).
// --allow-downgrades only when a downgrade is asked for.
func (a *applier) installArgs(changes []int, extra ...string) []string {
	args := []string{"-y", "-q", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"}
	if slices.ContainsFunc(changes, func(i int) bool { return a.actions[i].Type == model.ActionDowngrade }) {
		args = append(args, "--allow-downgrades")
	}
	args = append(args, extra...)
	args = append(args, "install")
	for _, i := range changes {
		arg := a.actions[i].Package + "=" + a.actions[i].To
		if deb, ok := a.debs[i]; ok {
			arg = deb
		}
		args = append(args, arg)
	}
	return args
}

// verify reads dpkg's state after the changes and judges every pending
// change and hold by it.
func (a *applier) verify(changes, holds []int) {
	var idx []int
	for _, g := range [][]int{changes, holds} {
		for _, i := range g {
			if a.pending(i) {
				idx = append(idx, i)
			}
		}
	}
	if len(idx) == 0 || !a.alive() {
		return
	}
	var ok bool
	if a.after, ok = a.query(idx); !ok {
		return
	}
	for _, i := range idx {
		act := a.actions[i]
		now := states(a.after, act.Package)
		switch act.Type {
		case model.ActionHold:
			a.judge(i, slices.ContainsFunc(now, pkgState.Held), act.Package+" is on hold", act.Package+" is not on hold")
		default:
			a.judgeChange(i, now)
		}
	}
}

func (a *applier) judge(i int, ok bool, yes, no string) {
	if ok {
		a.set(i, sdk.StatusSucceeded, yes)
		return
	}
	a.set(i, sdk.StatusFailed, no)
}

// judgeChange: succeeded when dpkg has the package installed at the
// target version.
func (a *applier) judgeChange(i int, now []pkgState) {
	act := a.actions[i]
	if slices.ContainsFunc(now, func(p pkgState) bool { return p.OK() && p.Version == act.To }) {
		a.set(i, sdk.StatusSucceeded, fmt.Sprintf("%s %s installed", act.Package, act.To))
		return
	}
	state := "not installed"
	if len(now) > 0 {
		state = now[0].Describe()
	}
	msg := fmt.Sprintf("%s is %s, not %s installed", act.Package, state, act.To)
	if a.aptOut != "" {
		msg += "; " + a.aptOut
	}
	a.set(i, sdk.StatusFailed, msg)
}
