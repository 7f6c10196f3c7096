package fwupd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/version"
	"github.com/tend-sh/tend/plugins/sdk"
)

// Program is the command the provider runs on the target.
const Program = "fwupdmgr"

// ScanTimeout bounds each fwupdmgr call of a scan; a refresh downloads
// the metadata of every enabled remote.
const ScanTimeout = 5 * time.Minute

// quiet are the options that keep fwupdmgr from asking anything: tend
// runs it without a terminal and decides itself what to install.
var quiet = []string{"--no-unreported-check", "--no-metadata-check", "--no-remote-check"}

// exitNothingToDo is fwupdmgr's exit status when there is nothing to do
// (FWUPD_ERROR_NOTHING_TO_DO: no updates, metadata already fresh).
const exitNothingToDo = 2

// Env is the environment every fwupdmgr call gets: in another locale
// fwupdmgr translates its messages and writes its output (device names
// too, in JSON as well) in that locale's charset, so that "Integrated
// Webcam™" would be "Integrated Webcam?" in the C locale.
var Env = []string{"LC_ALL=C.UTF-8"}

func fwupdmgr(args ...string) sdk.Cmd {
	return sdk.Cmd{Argv: append([]string{Program}, args...), Env: Env, Timeout: ScanTimeout}
}

// run runs c, accepting exit status 2 (nothing to do) as success.
func run(ctx context.Context, r sdk.Runner, c sdk.Cmd) (sdk.Result, error) {
	res, err := r.Run(ctx, c)
	if err != nil {
		return res, err
	}
	if res.ExitCode != 0 && res.ExitCode != exitNothingToDo {
		if msg := fwupdError(res.Stdout); msg != "" {
			return res, fmt.Errorf("%s: %s", c, msg)
		}
		return res, &sdk.ExitError{Cmd: c, Result: res}
	}
	return res, nil
}

// devices runs fwupdmgr get-devices --json.
func devices(ctx context.Context, r sdk.Runner) ([]deviceDoc, error) {
	res, err := run(ctx, r, fwupdmgr(append([]string{"get-devices", "--json"}, quiet...)...))
	if err != nil {
		return nil, err
	}
	return parseDevices(res.Stdout)
}

// Scan refreshes the metadata when cfg says so, then reads fwupd's devices
// and updates and returns the inventory and the warnings about updates
// tend will not plan. pins name the devices whose releases the inventory
// lists in Versions.
func Scan(ctx context.Context, r sdk.Runner, cfg Config, pins []string) (*sdk.Inventory, []string, error) {
	if cfg.Refresh {
		if _, err := run(ctx, r, fwupdmgr(append([]string{"refresh", "--json"}, quiet...)...)); err != nil {
			return nil, nil, err
		}
	}
	devs, err := devices(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	res, err := run(ctx, r, fwupdmgr(append([]string{"get-updates", "--json"}, quiet...)...))
	if err != nil {
		return nil, nil, err
	}
	var ups []deviceDoc
	if res.ExitCode == 0 {
		if ups, err = parseDevices(res.Stdout); err != nil {
			return nil, nil, err
		}
	}
	if missingUrgency(ups) {
		c := fwupdmgr(append([]string{"get-updates"}, quiet...)...)
		if res, err := run(ctx, r, c); err == nil {
			fillUrgency(ups, textUrgencies(res.Stdout))
		}
	}
	inv, warns := Inventory(cfg, devs, ups)
	for _, p := range pins {
		id := idByName(devs, p)
		if id == "" {
			continue
		}
		vs, err := releases(ctx, r, id)
		if err != nil {
			warns = append(warns, fmt.Sprintf("%s: the versions fwupd offers are unknown: %v", p, err))
			continue
		}
		if inv.Versions == nil {
			inv.Versions = map[string][]string{}
		}
		inv.Versions[p] = vs
	}
	return inv, warns, nil
}

// releases lists the versions fwupd offers for a device, upgrades and
// downgrades: fwupdmgr get-releases --json DEVICEID.
func releases(ctx context.Context, r sdk.Runner, id string) ([]string, error) {
	res, err := run(ctx, r, fwupdmgr(append([]string{"get-releases", "--json"}, append(quiet, id)...)...))
	if err != nil {
		return nil, err
	}
	vs := []string{}
	if res.ExitCode != 0 {
		return vs, nil
	}
	var doc struct {
		Releases []releaseDoc `json:"Releases"`
	}
	if err := jsonUnmarshal(res.Stdout, &doc); err != nil {
		return nil, err
	}
	for _, rel := range doc.Releases {
		vs = append(vs, rel.Version)
	}
	return vs, nil
}

func missingUrgency(ups []deviceDoc) bool {
	for _, d := range ups {
		for _, rel := range d.Releases {
			if rel.Urgency == "" {
				return true
			}
		}
	}
	return false
}

func fillUrgency(ups []deviceDoc, urg map[string]string) {
	for i := range ups {
		for j := range ups[i].Releases {
			rel := &ups[i].Releases[j]
			if rel.Urgency == "" {
				rel.Urgency = urg[ups[i].DeviceID+" "+rel.Version]
			}
		}
	}
}

// idByName is the DeviceId of the device plans call name, or "".
func idByName(devs []deviceDoc, name string) string {
	for id, n := range names(devs) {
		if n == name {
			return id
		}
	}
	return ""
}

// Inventory turns fwupd's devices (get-devices) and the devices with
// updates (get-updates) into tend's inventory: every device with a version
// installed, and the newest upgrade of each updatable device available.
// Updates that need a person are warnings saying why, never updates.
func Inventory(cfg Config, devs, ups []deviceDoc) (*sdk.Inventory, []string) {
	inv := &sdk.Inventory{Facts: map[string]string{}, Installed: []sdk.Installed{}, Available: []sdk.Update{}}
	var warns []string
	all := slices.Clone(devs)
	for _, u := range ups {
		if !slices.ContainsFunc(all, func(d deviceDoc) bool { return d.DeviceID == u.DeviceID }) {
			all = append(all, u)
		}
	}
	name := names(all)
	for _, d := range all {
		if d.rebootPending() {
			inv.PendingReboot = true
		}
		if d.Version == "" {
			continue
		}
		inv.Installed = append(inv.Installed, sdk.Installed{ID: d.DeviceID, Name: name[d.DeviceID], Version: d.Version})
	}
	for _, d := range ups {
		rel, ok := newest(d)
		if !ok {
			continue
		}
		if why := d.notApplicable(cfg.RequireUsableDuringUpdate); why != "" {
			warns = append(warns, fmt.Sprintf("%s: firmware %s not applicable, not planned: %s", name[d.DeviceID], rel.Version, why))
			continue
		}
		u := sdk.Update{ID: d.DeviceID, Name: name[d.DeviceID], From: d.Version, To: rel.Version,
			Classification: "firmware", Severity: severity(rel.Urgency), CVEs: cves(rel.Issues),
			RebootRequired: d.has("needs-reboot") || d.has("needs-shutdown"), Title: title(rel)}
		if rel.Created > 0 {
			u.ReleasedAt = time.Unix(rel.Created, 0).UTC()
		}
		inv.Available = append(inv.Available, u)
	}
	slices.SortFunc(inv.Installed, func(a, b sdk.Installed) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(inv.Available, func(a, b sdk.Update) int { return strings.Compare(a.Name, b.Name) })
	return inv, warns
}

// title is what reports show for a release: its summary on the LVFS
// ("Firmware for the fake webcam"), else its name.
func title(rel releaseDoc) string {
	if rel.Summary != "" {
		return rel.Summary
	}
	return rel.Name
}

// newest is d's newest release that is an upgrade: fwupd lists releases
// newest first and flags upgrades is-upgrade.
func newest(d deviceDoc) (releaseDoc, bool) {
	var best releaseDoc
	found := false
	for _, rel := range d.Releases {
		up := slices.Contains(rel.Flags, "is-upgrade")
		if !up && d.Version != "" {
			c, _ := version.Compare(version.Fwupd, rel.Version, d.Version)
			up = c > 0 && !slices.Contains(rel.Flags, "is-downgrade")
		}
		if !up {
			continue
		}
		if !found {
			best, found = rel, true
			continue
		}
		if c, _ := version.Compare(version.Fwupd, rel.Version, best.Version); c > 0 {
			best = rel
		}
	}
	return best, found
}

// severity maps an LVFS urgency to tend's severity.
func severity(urgency string) string {
	switch u := strings.ToLower(urgency); u {
	case "critical", "high", "medium", "low":
		return u
	}
	return ""
}

// cves are the CVE ids among a release's issues.
func cves(issues []string) []string {
	out := []string{}
	for _, s := range issues {
		if strings.HasPrefix(strings.ToUpper(s), "CVE-") {
			out = append(out, s)
		}
	}
	return out
}
