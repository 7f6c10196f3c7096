package compliance

import (
	"sort"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// recentlyInstalled lists the items of reports that tend installed within
// model.RecentWindow up to now, both ends included (an item dated after now,
// as a report made --at an earlier time sees, is left out): newest first,
// then by host, provider and package.
func recentlyInstalled(reports []model.Report, now time.Time) []model.RecentInstall {
	from := now.Add(-model.RecentWindow)
	out := []model.RecentInstall{}
	for _, r := range reports {
		for _, it := range r.Items {
			if it.InstalledAt == nil || it.InstalledAt.Before(from) || it.InstalledAt.After(now) {
				continue
			}
			out = append(out, model.RecentInstall{Host: r.Host, Provider: it.Provider, Package: it.Package,
				Version: it.Installed, InstalledAt: it.InstalledAt.UTC()})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case !a.InstalledAt.Equal(b.InstalledAt):
			return a.InstalledAt.After(b.InstalledAt)
		case a.Host != b.Host:
			return a.Host < b.Host
		case a.Provider != b.Provider:
			return a.Provider < b.Provider
		}
		return a.Package < b.Package
	})
	return out
}
