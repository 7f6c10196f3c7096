package apt

import (
	"fmt"
	"slices"

	"github.com/tend-sh/tend/plugins/sdk"
)

// reboot reboots the running system once for all pending reboot actions
// (one already judged, as when the transaction was refused, is left
// alone); there is nothing to reboot for an alternate root.
func (a *applier) reboot(reboots []int) {
	reboots = slices.DeleteFunc(slices.Clone(reboots), func(i int) bool { return !a.pending(i) })
	if len(reboots) == 0 {
		return
	}
	if a.t.alternate() {
		for _, i := range reboots {
			a.set(i, sdk.StatusSkipped, "alternate root: nothing to reboot")
		}
		return
	}
	if !a.alive() {
		return
	}
	a.progress(sdk.Progress{Message: "systemctl reboot"})
	res, ok := a.runCmd(sdk.Cmd{Argv: []string{"systemctl", "reboot"}, Env: env}, reboots)
	if !ok {
		return
	}
	for _, i := range reboots {
		if res.ExitCode != 0 {
			a.set(i, sdk.StatusFailed, fmt.Sprintf("systemctl reboot exited with status %d: %s", res.ExitCode, tail(string(res.Stdout)+string(res.Stderr), tailLines)))
			continue
		}
		a.set(i, sdk.StatusSucceeded, "reboot started")
	}
}
