package compliance

import (
	"strings"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// dated is when tend installed a package; version is the version it was
// at then, "" when an apply record dates it (which names no version).
type dated struct {
	at      time.Time
	version string
}

// installDates finds when tend installed each package of host: the
// succeeded actions of its last apply (at the apply's finished_at), and
// the installed_at of the previous report's items (with their version).
// The apply's date wins unless the previous report dates the package later.
// The reboot action (package "reboot" in its id) dates nothing.
func installDates(host string, la *model.LastApply, prev *model.Report) map[itemKey]dated {
	out := map[itemKey]dated{}
	if prev != nil {
		for _, it := range prev.Items {
			if it.InstalledAt != nil && it.Installed != "" {
				out[itemKey{it.Provider, it.Package}] = dated{at: it.InstalledAt.UTC(), version: it.Installed}
			}
		}
	}
	if la == nil {
		return out
	}
	for _, r := range la.Results {
		k, ok := actionKey(host, r.ActionID)
		if !ok || r.Status != model.StatusSucceeded {
			continue
		}
		if old, ok := out[k]; !ok || !la.FinishedAt.Before(old.at) {
			out[k] = dated{at: la.FinishedAt.UTC()}
		}
	}
	return out
}

// actionKey reads provider and package out of an action id
// "<host>/<provider>/<package>"; false for other hosts' ids and the reboot
// action.
func actionKey(host, id string) (itemKey, bool) {
	rest, ok := strings.CutPrefix(id, host+"/")
	if !ok {
		return itemKey{}, false
	}
	provider, pkg, ok := strings.Cut(rest, "/")
	if !ok || provider == "" || pkg == "" || pkg == "reboot" {
		return itemKey{}, false
	}
	return itemKey{provider, pkg}, true
}

// addInstalledByTend dates the items of packages tend installed and that
// are still at that version, and adds an installed item (required: the
// installed version) for those no policy rule listed. A failed item gets
// no date.
func addInstalledByTend(items map[itemKey]model.Item, snap *model.Snapshot, dates map[itemKey]dated) {
	for k, d := range dates {
		var inv *model.ProviderInventory
		if snap != nil {
			inv = snap.Providers[k.provider]
		}
		v := installedVersion(inv, k.pkg)
		if v == "" || (d.version != "" && d.version != v) {
			continue
		}
		at := d.at
		it, ok := items[k]
		switch {
		case !ok:
			items[k] = model.Item{Provider: k.provider, Package: k.pkg, Installed: v, Required: v,
				State: model.ItemInstalled, CVEs: []string{}, InstalledAt: &at}
		case it.State != model.ItemFailed && it.Installed == v:
			it.InstalledAt = &at
			items[k] = it
		}
	}
}
