package main

import (
	"fmt"
	"path/filepath"
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
	files, err := htmlreport.Build(htmlreport.FromConfig(cfg, reports, s, hist))
	if err != nil {
		return err
	}
	removed, err := htmlreport.Write(f.html, files)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stderr, "Wrote the HTML report (%d pages) to %s; open %s\n", len(files), f.html, filepath.Join(f.html, htmlreport.IndexFile))
	if len(removed) > 0 {
		fmt.Fprintf(g.stderr, "Removed the pages of hosts or clients no longer in the report: %s\n", strings.Join(removed, ", "))
	}
	return nil
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
