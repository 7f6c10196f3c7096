package compliance

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// Summarize computes the fleet summary of reports. clients maps a host to
// its "client" label.
func Summarize(reports []model.Report, clients map[string]string, configCommit string, now time.Time) model.FleetSummary {
	s := model.FleetSummary{
		GeneratedAt: now.UTC(), ConfigCommit: configCommit,
		Clients:      map[string]model.Counts{},
		MissingByCVE: map[string][]string{}, MissingByKB: map[string][]string{},
		Failures: []model.Failure{}, PendingReboots: []string{}, HaltedRollouts: []string{},
		RecentlyInstalled: recentlyInstalled(reports, now),
	}
	cves, kbs := map[string]map[string]bool{}, map[string]map[string]bool{}
	for _, r := range reports {
		ungoverned := slices.ContainsFunc(r.Items, func(it model.Item) bool { return it.State == model.ItemUngoverned })
		count(&s.Counts, r.State, ungoverned)
		c := s.Clients[clients[r.Host]]
		count(&c, r.State, ungoverned)
		s.Clients[clients[r.Host]] = c
		reboot := false
		for _, it := range r.Items {
			switch it.State {
			case model.ItemMissing, model.ItemFailed, model.ItemOverdue:
				for _, id := range it.CVEs {
					addHost(cves, id, r.Host)
				}
				if it.KB != "" {
					addHost(kbs, it.KB, r.Host)
				}
			case model.ItemInstalledPendingReboot:
				reboot = true
			}
			if it.State == model.ItemFailed && it.Detail != "" {
				s.Failures = append(s.Failures, model.Failure{Host: r.Host, ActionID: r.Host + "/" + it.Provider + "/" + it.Package, Message: it.Detail})
			}
		}
		if reboot {
			s.PendingReboots = append(s.PendingReboots, r.Host)
		}
		if r.LastApply != nil {
			for _, res := range r.LastApply.Results {
				if res.Status == model.StatusFailed || res.Status == model.StatusInterrupted || res.Status == model.StatusRolledBack {
					s.Failures = append(s.Failures, model.Failure{Host: r.Host, ActionID: res.ActionID, Message: res.Message})
				}
			}
		}
	}
	s.Counts.CompliancePercent = percent(s.Counts)
	for k, c := range s.Clients {
		c.CompliancePercent = percent(c)
		s.Clients[k] = c
	}
	s.MissingByCVE, s.MissingByKB = sortedHosts(cves), sortedHosts(kbs)
	s.MissingPatches = missingPatches(reports, clients)
	sort.Strings(s.PendingReboots)
	sort.SliceStable(s.Failures, func(i, j int) bool {
		a, b := s.Failures[i], s.Failures[j]
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.ActionID < b.ActionID
	})
	return s
}

func count(c *model.Counts, state string, ungoverned bool) {
	c.Hosts++
	if ungoverned {
		c.Ungoverned++
	}
	switch state {
	case model.HostCompliant:
		c.Compliant++
	case model.HostNonCompliant:
		c.NonCompliant++
	default:
		c.Unknown++
	}
}

// percent is compliant over scanned hosts × 100, rounded half away from
// zero to one decimal; 0 when no host was scanned.
func percent(c model.Counts) float64 {
	scanned := c.Compliant + c.NonCompliant
	if scanned == 0 {
		return 0
	}
	return math.Round(float64(c.Compliant)*1000/float64(scanned)) / 10
}

func addHost(m map[string]map[string]bool, id, host string) {
	if m[id] == nil {
		m[id] = map[string]bool{}
	}
	m[id][host] = true
}

func sortedHosts(m map[string]map[string]bool) map[string][]string {
	out := make(map[string][]string, len(m))
	for id, hosts := range m {
		list := make([]string, 0, len(hosts))
		for h := range hosts {
			list = append(list, h)
		}
		sort.Strings(list)
		out[id] = list
	}
	return out
}
