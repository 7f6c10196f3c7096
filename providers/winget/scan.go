package winget

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tend-sh/tend/core/version"
	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/internal/winscript"
)

// ScanTimeout bounds one scan: Get-WinGetPackage opens every source,
// which can take minutes on a slow link.
const ScanTimeout = 15 * time.Minute

// Scan runs scripts/scan.ps1 on the target and returns its inventory and
// warnings. pins name the packages whose available versions the
// inventory lists in Versions.
func Scan(ctx context.Context, r sdk.Runner, pins []string) (*sdk.Inventory, []string, error) {
	var doc scanDoc
	if err := winscript.Run(ctx, r, ScanScript, struct{}{}, ScanTimeout, &doc); err != nil {
		return nil, nil, err
	}
	if err := doc.check(); err != nil {
		return nil, nil, err
	}
	inv, warns := Inventory(*doc.Packages, pins)
	return inv, warns, nil
}

// Inventory turns the scan's packages into tend's inventory: each
// package installed, and an update to its newest version where winget
// itself would upgrade it. Every other package with a newer version is a
// warning that says why tend does not plan it.
func Inventory(pkgs []packageDoc, pins []string) (*sdk.Inventory, []string) {
	inv := &sdk.Inventory{Facts: map[string]string{"os": "windows"}, Installed: []sdk.Installed{}, Available: []sdk.Update{}}
	var warns []string
	seen := map[string]bool{}
	for _, p := range pkgs {
		if seen[p.ID] {
			warns = append(warns, fmt.Sprintf("%s: winget lists it more than once (installed for several scopes or architectures); tend reports the first, version %s", p.ID, inventoryVersion(inv, p.ID)))
			continue
		}
		seen[p.ID] = true
		// Plans and policies name a package by its winget id (the display
		// name, "Google Chrome", is not unique and changes with versions).
		inv.Installed = append(inv.Installed, sdk.Installed{ID: p.ID, Name: p.ID, Version: p.InstalledVersion})
		u, warn := update(p)
		if warn != "" {
			warns = append(warns, warn)
		}
		if u != nil {
			inv.Available = append(inv.Available, *u)
		}
		if slices.Contains(pins, p.ID) && p.Source != "msstore" {
			if inv.Versions == nil {
				inv.Versions = map[string][]string{}
			}
			inv.Versions[p.ID] = append([]string{}, p.AvailableVersions...)
		}
	}
	return inv, warns
}

// update is the update tend may plan for p, or why there is none when
// winget knows a newer version.
func update(p packageDoc) (*sdk.Update, string) {
	if len(p.AvailableVersions) == 0 {
		return nil, ""
	}
	newest := p.AvailableVersions[0]
	newer, _ := version.Compare(version.Winget, newest, p.InstalledVersion)
	switch {
	case p.Source == "msstore" && (p.IsUpdateAvailable || newer > 0):
		return nil, fmt.Sprintf("%s: a Microsoft Store app (source msstore); the Store updates it and offers no choice of version, so tend does not plan it", p.ID)
	case p.IsUpdateAvailable:
		return &sdk.Update{ID: p.ID, Name: p.ID, From: p.InstalledVersion, To: newest, CVEs: []string{}, Title: p.Name}, ""
	case newer <= 0:
		return nil, ""
	case isUnknown(p.InstalledVersion):
		return nil, fmt.Sprintf("%s: winget has version %s but does not know the installed version (Unknown), so it will not upgrade it; not planned", p.ID, newest)
	}
	return nil, fmt.Sprintf("%s: winget has version %s (installed %s) but will not upgrade to it: the package is pinned in winget, its new installer is of a different type (uninstall and install it again), or none of its installers fits this machine; not planned", p.ID, newest, p.InstalledVersion)
}

func isUnknown(v string) bool {
	c, err := version.Compare(version.Winget, v, "Unknown")
	return err == nil && c == 0
}

// inventoryVersion is the installed version inv lists for id.
func inventoryVersion(inv *sdk.Inventory, id string) string {
	for _, i := range inv.Installed {
		if i.ID == id {
			return i.Version
		}
	}
	return ""
}
