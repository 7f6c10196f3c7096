package daemon

import (
	"fmt"
	"maps"
	"slices"

	gogit "github.com/go-git/go-git/v5"
	"github.com/tend-sh/tend/core/htmlreport"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/reportsbranch/trend"
)

// addHTML adds the HTML compliance report (Options.HTML) under html/ to
// the files about to be committed, its trend drawn from the branch's
// history so far and this reconcile. It is derived from the other files:
// the caller adds it only when they changed, so a reconcile that changes
// nothing still commits nothing.
func (d *Daemon) addHTML(p *pass, files map[string][]byte) error {
	var hist *trend.History
	if p.tree != nil && !p.tree.Head.IsZero() {
		repo, err := gogit.PlainOpen(d.src.RepoPath())
		if err != nil {
			return err
		}
		if hist, err = trend.Read(repo, p.tree.Head, 0); err != nil {
			return err
		}
	} else {
		hist = &trend.History{Hosts: map[string][]trend.HostPoint{}}
	}
	reports := make([]model.Report, 0, len(p.reports))
	for _, h := range slices.Sorted(maps.Keys(p.reports)) {
		reports = append(reports, *p.reports[h])
	}
	site, err := htmlreport.Build(htmlreport.FromConfig(p.good.cfg, reports, p.out.Summary, hist))
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	for path, b := range site {
		files[reportsbranch.HTMLDir+"/"+path] = b
	}
	return nil
}
