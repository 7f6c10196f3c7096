package fwupd

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
)

// InstallTimeout bounds one firmware install: fwupd downloads the
// cabinet and writes the device, which takes minutes for some.
const InstallTimeout = 30 * time.Minute

// versionPattern is what tend passes to fwupdmgr as a version: fwupd's
// versions are dotted numbers, 0x numbers or short text, never options.
var versionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.~_+-]{0,63}$`)

// Apply installs each action's release on its device, one after the
// other, with fwupdmgr install DEVICEID VERSION, and returns one result
// per action in order. Before each it reads the devices again: an action
// whose device is gone, whose version moved, or whose update now needs a
// person fails without fwupdmgr install being run.
func Apply(ctx context.Context, r sdk.Runner, cfg Config, actions []sdk.Action, progress sdk.ProgressFunc) ([]sdk.ActionResult, error) {
	results := make([]sdk.ActionResult, len(actions))
	for i, a := range actions {
		results[i].ActionID = a.ID
		results[i].Status, results[i].Message = install(ctx, r, cfg, a, progress)
	}
	return results, nil
}

// install carries out one action.
func install(ctx context.Context, r sdk.Runner, cfg Config, a sdk.Action, progress sdk.ProgressFunc) (sdk.Status, string) {
	if a.Type != sdk.ActionUpgrade && a.Type != sdk.ActionDowngrade {
		return sdk.StatusFailed, fmt.Sprintf("the fwupd provider installs firmware releases (upgrade, downgrade), not %s", a.Type)
	}
	if !versionPattern.MatchString(a.To) {
		return sdk.StatusFailed, fmt.Sprintf("%q is not a firmware version", a.To)
	}
	devs, err := devices(ctx, r)
	if err != nil {
		return sdk.StatusFailed, err.Error()
	}
	d, ok := byName(devs, a.Package)
	if !ok {
		return sdk.StatusFailed, fmt.Sprintf("fwupd knows no device %q", a.Package)
	}
	if a.From != "" && d.Version != a.From {
		return sdk.StatusFailed, fmt.Sprintf("%s is at version %s now, not %s as planned; not installed", a.Package, d.Version, a.From)
	}
	if why := d.notApplicable(cfg.RequireUsableDuringUpdate); why != "" {
		return sdk.StatusFailed, fmt.Sprintf("not applicable, not installed: %s", why)
	}
	args := []string{"install", "--json", "--assume-yes", "--no-reboot-check"}
	args = append(args, quiet...)
	if a.Type == sdk.ActionDowngrade {
		args = append(args, "--allow-older")
	}
	args = append(args, d.DeviceID, a.To)
	c := sdk.Cmd{Argv: append([]string{Program}, args...), Env: Env, Timeout: InstallTimeout}
	progress(sdk.Progress{ActionID: a.ID, Message: fmt.Sprintf("installing firmware %s on %s (%s), from %s", a.To, a.Package, d.DeviceID, d.Version)})
	res, err := r.Run(ctx, c)
	if err != nil {
		return sdk.StatusFailed, err.Error()
	}
	if res.ExitCode != 0 {
		if msg := fwupdError(res.Stdout); msg != "" {
			return sdk.StatusFailed, "fwupd: " + msg
		}
		return sdk.StatusFailed, (&sdk.ExitError{Cmd: c, Result: res}).Error()
	}
	return outcome(ctx, r, d.DeviceID, a.To)
}

// outcome reads the device after fwupdmgr install succeeded: at the new
// version it succeeded; waiting for a reboot it succeeded with the reboot
// pending; at any other version it failed.
func outcome(ctx context.Context, r sdk.Runner, id, to string) (sdk.Status, string) {
	devs, err := devices(ctx, r)
	if err != nil {
		return sdk.StatusFailed, "fwupdmgr install succeeded, but the device could not be read again: " + err.Error()
	}
	for _, d := range devs {
		if d.DeviceID != id {
			continue
		}
		switch {
		case d.Version == to && d.rebootPending():
			return sdk.StatusSucceeded, "installed; fwupd says the device needs a reboot"
		case d.Version == to:
			return sdk.StatusSucceeded, ""
		case d.rebootPending():
			return sdk.StatusSucceeded, fmt.Sprintf("installed; the device runs %s until the next reboot, which fwupd says it needs", d.Version)
		case d.has("needs-activation"):
			return sdk.StatusSucceeded, "installed; the device runs the new firmware once activated (fwupdmgr activate)"
		}
		return sdk.StatusFailed, fmt.Sprintf("fwupdmgr install succeeded, but the device reports version %s, not %s", d.Version, to)
	}
	return sdk.StatusFailed, "fwupdmgr install succeeded, but the device is gone (replugged, or waiting in its bootloader)"
}

// byName finds the device plans call name.
func byName(devs []deviceDoc, name string) (deviceDoc, bool) {
	id := idByName(devs, name)
	for _, d := range devs {
		if d.DeviceID == id && id != "" {
			return d, true
		}
	}
	return deviceDoc{}, false
}
