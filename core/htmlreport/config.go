package htmlreport

import (
	"slices"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch/trend"
)

// FromConfig gathers a site's input: the reports and their summary, each
// host's client label, the hosts of each group and policy of cfg, and the
// reports branch's history (nil: none).
func FromConfig(cfg *config.Config, reports []model.Report, s *model.FleetSummary, hist *trend.History) Input {
	in := Input{Summary: s, Reports: reports, Clients: cfg.HostLabels("client"),
		Groups: map[string][]string{}, Policies: map[string][]string{}, History: hist}
	for name, gr := range cfg.Groups {
		hosts := []string{}
		for hn, h := range cfg.Hosts {
			if gr.Matches(h) {
				hosts = append(hosts, hn)
			}
		}
		slices.Sort(hosts)
		in.Groups[name] = hosts
	}
	for name, p := range cfg.Policies {
		in.Policies[name] = p.Hosts
	}
	return in
}
