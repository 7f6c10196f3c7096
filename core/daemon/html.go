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
// nothing still commits nothing. It returns the pages to remove: those
// the branch's html/.tend-pages lists that this site no longer has (of
// hosts or clients that left the configuration).
func (d *Daemon) addHTML(p *pass, files map[string][]byte) (remove []string, err error) {
	var hist *trend.History
	if p.tree != nil && !p.tree.Head.IsZero() {
		repo, err := gogit.PlainOpen(d.src.RepoPath())
		if err != nil {
			return nil, err
		}
		if hist, err = trend.Read(repo, p.tree.Head, 0); err != nil {
			return nil, err
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
		return nil, fmt.Errorf("html report: %w", err)
	}
	var old []byte
	if p.tree != nil {
		if old, _, err = p.tree.File(reportsbranch.HTMLDir + "/" + htmlreport.ManifestFile); err != nil {
			return nil, fmt.Errorf("html report: %w", err)
		}
	}
	for path, b := range site {
		files[reportsbranch.HTMLDir+"/"+path] = b
	}
	files[reportsbranch.HTMLDir+"/"+htmlreport.ManifestFile] = htmlreport.Manifest(site)
	for _, path := range htmlreport.Stale(old, site) {
		remove = append(remove, reportsbranch.HTMLDir+"/"+path)
	}
	return remove, nil
}
