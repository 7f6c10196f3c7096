package windowsupdate

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/internal/winscript"
)

// ScanTimeout bounds one scan: an online search against Windows Update or
// WSUS takes from seconds to, on a machine that has not searched for
// months, half an hour.
const ScanTimeout = 45 * time.Minute

// Scan runs the scan script on the target and returns its inventory, with
// warnings about updates it could not read entirely.
func Scan(ctx context.Context, r sdk.Runner, cfg Config) (*sdk.Inventory, []string, error) {
	doc, err := scan(ctx, r, cfg)
	if err != nil {
		return nil, nil, err
	}
	inv, warns := Inventory(doc)
	return inv, warns, nil
}

// scan runs the scan script and returns its document.
func scan(ctx context.Context, r sdk.Runner, cfg Config) (*ScanDocument, error) {
	var doc ScanDocument
	if err := winscript.Run(ctx, r, ScanScript, cfg.scanParams(), ScanTimeout, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// PackageID is the name tend gives an update: its first KB, else its
// update id.
func PackageID(u ScanUpdate) string {
	if len(u.KB) > 0 && u.KB[0] != "" {
		return u.KB[0]
	}
	return u.UpdateID
}

// Inventory maps a scan document to tend's inventory: installed updates
// become Installed (so compliance lists installed KBs), the others
// Available. The package id is also the name, as tend's policies match
// and plans name packages by name (`reject = ["KB5044284"]`); the title
// goes to the update's Title (reports show it). Updates that share a package id (one KB
// for several products) are one entry: every CVE, a reboot when any needs
// one. Both lists are sorted by id.
func Inventory(doc *ScanDocument) (*sdk.Inventory, []string) {
	inv := &sdk.Inventory{Facts: map[string]string{"os": "windows"}, PendingReboot: doc.RebootPending,
		Installed: []sdk.Installed{}, Available: []sdk.Update{}}
	var warns []string
	installed := map[string]bool{}
	available := map[string]int{}
	for _, u := range doc.Updates {
		id := PackageID(u)
		if id == "" {
			warns = append(warns, fmt.Sprintf("an update titled %q has neither a KB nor an update id; left out", u.Title))
			continue
		}
		if u.IsInstalled {
			if !installed[id] {
				installed[id] = true
				inv.Installed = append(inv.Installed, sdk.Installed{ID: id, Name: id, Version: id})
			}
			continue
		}
		up, warn := availableUpdate(id, u)
		if warn != "" {
			warns = append(warns, warn)
		}
		if i, ok := available[id]; ok {
			merge(&inv.Available[i], up)
			continue
		}
		available[id] = len(inv.Available)
		inv.Available = append(inv.Available, up)
	}
	slices.SortFunc(inv.Installed, func(a, b sdk.Installed) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(inv.Available, func(a, b sdk.Update) int { return cmp.Compare(a.ID, b.ID) })
	return inv, warns
}

// availableUpdate maps one update that is not installed; a release time it
// cannot read is left unknown, with a warning.
func availableUpdate(id string, u ScanUpdate) (sdk.Update, string) {
	up := sdk.Update{ID: id, Name: id, To: id, Classification: Classification(u.Categories),
		Severity: u.MsrcSeverity, CVEs: slices.Clone(u.CVEs), RebootRequired: u.RebootBehavior != NeverReboots,
		Title: u.Title}
	if len(u.KB) > 0 {
		up.KB = u.KB[0]
	}
	if up.CVEs == nil {
		up.CVEs = []string{}
	}
	var warn string
	if u.Released != "" {
		t, err := time.Parse(time.RFC3339, u.Released)
		if err != nil {
			warn = fmt.Sprintf("%s: released %q is not an RFC 3339 time; approval delays count from the first scan that saw it", id, u.Released)
		} else {
			up.ReleasedAt = t.UTC()
		}
	}
	return up, warn
}

// merge folds another update of the same package id into u.
func merge(u *sdk.Update, other sdk.Update) {
	for _, c := range other.CVEs {
		if !slices.Contains(u.CVEs, c) {
			u.CVEs = append(u.CVEs, c)
		}
	}
	u.RebootRequired = u.RebootRequired || other.RebootRequired
	u.Severity = cmp.Or(u.Severity, other.Severity)
	u.Classification = cmp.Or(u.Classification, other.Classification)
	u.Title = cmp.Or(u.Title, other.Title)
	if u.ReleasedAt.IsZero() || (!other.ReleasedAt.IsZero() && other.ReleasedAt.Before(u.ReleasedAt)) {
		u.ReleasedAt = other.ReleasedAt
	}
}
