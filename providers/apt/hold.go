package apt

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tend-sh/tend/plugins/sdk"
)

// checkInstalled fails holds or unholds of packages dpkg does not know and
// the transaction does not install; it returns the actions left.
func (a *applier) checkInstalled(holds, changes []int) []int {
	var left []int
	for _, i := range holds {
		pkg := a.actions[i].Package
		known := slices.ContainsFunc(states(a.before, pkg), pkgState.Known) ||
			slices.ContainsFunc(changes, func(j int) bool { return a.actions[j].Package == pkg })
		if !known {
			a.set(i, sdk.StatusFailed, pkg+" is not installed")
			continue
		}
		left = append(left, i)
	}
	return left
}

// mark runs apt-mark hold or unhold for the pending actions of idx and
// returns the packages it marked. A failure fails them all with
// apt-mark's words.
func (a *applier) mark(verb string, idx []int) []string {
	idx = slices.DeleteFunc(slices.Clone(idx), func(i int) bool { return !a.pending(i) })
	if len(idx) == 0 || !a.alive() {
		return nil
	}
	var pkgs []string
	for _, i := range idx {
		if p := a.actions[i].Package; !slices.Contains(pkgs, p) {
			pkgs = append(pkgs, p)
		}
	}
	a.progress(sdk.Progress{Message: fmt.Sprintf("apt-mark %s: %s", verb, strings.Join(pkgs, " "))})
	res, ok := a.runCmd(a.t.apt("apt-mark", append([]string{verb}, pkgs...)...), idx)
	if !ok {
		return nil
	}
	if res.ExitCode != 0 {
		msg := fmt.Sprintf("apt-mark %s exited with status %d:\n%s", verb, res.ExitCode, tail(string(res.Stdout)+string(res.Stderr), tailLines))
		for _, i := range idx {
			a.set(i, sdk.StatusFailed, msg)
		}
		return nil
	}
	return pkgs
}
