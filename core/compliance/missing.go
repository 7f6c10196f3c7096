package compliance

import (
	"cmp"
	"regexp"
	"slices"
	"sort"

	"github.com/tend-sh/tend/core/model"
)

// kbID matches a knowledge-base id as Windows Update names its updates.
var kbID = regexp.MustCompile(`^KB[0-9]+$`)

// installedKBs lists the installed packages of a snapshot that are
// knowledge-base updates, sorted and without repeats; nil when none.
func installedKBs(snap *model.Snapshot) []string {
	if snap == nil {
		return nil
	}
	var out []string
	for _, inv := range snap.Providers {
		if inv == nil {
			continue
		}
		for _, it := range inv.Installed {
			if kbID.MatchString(it.ID) {
				out = append(out, it.ID)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// missingPatches groups the missing and failed items of reports by update
// (provider and KB, else package): the "Missing patches by KB" report.
func missingPatches(reports []model.Report, clients map[string]string) []model.MissingPatch {
	type key struct{ provider, id string }
	byKey := map[key]*model.MissingPatch{}
	hosts := map[key]map[string]bool{}
	cves := map[key]map[string]bool{}
	for _, r := range reports {
		for _, it := range r.Items {
			if it.State != model.ItemMissing && it.State != model.ItemFailed {
				continue
			}
			k := key{it.Provider, cmp.Or(it.KB, it.Package)}
			p := byKey[k]
			if p == nil {
				p = &model.MissingPatch{ID: k.id, Provider: k.provider, Clients: map[string][]string{}}
				byKey[k], hosts[k], cves[k] = p, map[string]bool{}, map[string]bool{}
			}
			p.Title = cmp.Or(p.Title, it.Title)
			p.Severity = cmp.Or(p.Severity, it.Severity)
			p.Classification = cmp.Or(p.Classification, it.Classification)
			for _, c := range it.CVEs {
				cves[k][c] = true
			}
			if hosts[k][r.Host] {
				continue
			}
			hosts[k][r.Host] = true
			if it.State == model.ItemFailed {
				p.Failed++
			}
		}
	}
	out := make([]model.MissingPatch, 0, len(byKey))
	for k, p := range byKey {
		p.Hosts = sortedKeys(hosts[k])
		p.CVEs = sortedKeys(cves[k])
		for _, h := range p.Hosts {
			c := clients[h]
			p.Clients[c] = append(p.Clients[c], h) // p.Hosts is sorted, so is each list
		}
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if sa, sb := model.SeverityRank(a.Severity), model.SeverityRank(b.Severity); sa != sb {
			return sa < sb
		}
		if len(a.Hosts) != len(b.Hosts) {
			return len(a.Hosts) > len(b.Hosts)
		}
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		return a.ID < b.ID
	})
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
