package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/htmlreport"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch/trend"
)

// writeHTML writes the HTML compliance report under f.html, with the
// trend of the reports branch's history (see historyRev).
func writeHTML(g *globals, f *reportFlags, cfg *config.Config, reports []model.Report, s *model.FleetSummary) error {
	hist, err := readHistory(g.dir, f.inventory, f.history, cfg.ReportsBranch())
	if err != nil {
		return err
	}
	files, err := htmlreport.Build(htmlInput(cfg, reports, s, hist))
	if err != nil {
		return err
	}
	if err := htmlreport.Write(f.html, files); err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "Wrote the HTML report (%d pages) to %s; open %s\n", len(files), f.html, filepath.Join(f.html, htmlreport.IndexFile))
	return nil
}

// htmlInput gathers the site's input: the report, the hosts of each group
// and policy, and the history.
func htmlInput(cfg *config.Config, reports []model.Report, s *model.FleetSummary, hist *trend.History) htmlreport.Input {
	in := htmlreport.Input{Summary: s, Reports: reports, Clients: cfg.HostLabels("client"),
		Groups: map[string][]string{}, Policies: map[string][]string{}, History: hist}
	for name, gr := range cfg.Groups {
		var hosts []string
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

// readHistory reads the reports branch's history: of the revision
// --history names, else of git:REF's, else of the configuration
// repository's reports branch (trend.ReadDir).
func readHistory(dir, inventory, rev, branch string) (*trend.History, error) {
	if rev == "" && strings.HasPrefix(inventory, "git:") {
		rev = strings.TrimPrefix(inventory, "git:")
	}
	return trend.ReadDir(dir, rev, branch)
}
