package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tend-sh/tend/core/compliance"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// Per-client reports branches (Options.ReportsPerClient): after every
// commit of the fleet-wide branch, each client label's branch
// (reportsbranch.ClientBranch) gets the same layout scoped to that client:
// SUMMARY.md and summary.json are the client's (clients/<client>/ of the
// fleet branch), hosts/ holds its hosts only (a host that left the client
// is removed), results.json its hosts' new applies. Rollout states,
// status.json and html/ stay on the fleet-wide branch: a policy's rollout
// and the configuration's diagnostics may name other clients' hosts.

// clientFiles returns each client's layout, cut from the fleet's files.
func clientFiles(files map[string][]byte, reports map[string]*model.Report) (map[string]map[string][]byte, error) {
	hosts := map[string][]string{}
	for h, r := range reports {
		if r.Client != "" {
			hosts[r.Client] = append(hosts[r.Client], h)
		}
	}
	var results *model.Results
	if b := files[reportsbranch.ResultsFile]; b != nil {
		results = &model.Results{}
		if err := json.Unmarshal(b, results); err != nil {
			return nil, fmt.Errorf("results.json: %w", err)
		}
	}
	out := map[string]map[string][]byte{}
	for client, hs := range hosts {
		cf := map[string][]byte{}
		for _, h := range hs {
			for _, p := range []string{reportsbranch.ReportPath(h), reportsbranch.SnapshotPath(h)} {
				if b, ok := files[p]; ok {
					cf[p] = b
				}
			}
		}
		dir := reportsbranch.ClientDir(client) + "/"
		for _, name := range []string{reportsbranch.SummaryJSONFile, reportsbranch.SummaryMarkdownFile} {
			if b, ok := files[dir+name]; ok {
				cf[name] = b
			}
		}
		if results != nil {
			var mine []model.HostApply
			for _, a := range results.Applies {
				if reports[a.Host] != nil && reports[a.Host].Client == client {
					mine = append(mine, a)
				}
			}
			if len(mine) > 0 {
				b, err := compliance.ResultsJSON(results.ConfigCommit, results.GeneratedAt, mine)
				if err != nil {
					return nil, err
				}
				cf[reportsbranch.ResultsFile] = b
			}
		}
		out[client] = cf
	}
	return out, nil
}

// syncClients commits each client's layout to its branch, when it differs
// from the branch's in more than timestamps and the branch's last commit
// is at least the report interval old. It returns whether every client's
// branch is up to date (false: some wait, or failed, and are tried again
// by the next reconcile) and the first failure.
func (d *Daemon) syncClients(ctx context.Context, p *pass, files map[string][]byte, now time.Time) (bool, error) {
	byClient, err := clientFiles(files, p.reports)
	if err != nil {
		return false, err
	}
	commit := p.good.commit.String()
	done := true
	var firstErr error
	for _, client := range slices.Sorted(maps.Keys(byClient)) {
		ok, err := d.syncClient(ctx, p, client, byClient[client], commit, now)
		if err != nil {
			d.log.WithError(err).WithField("client", client).Error("could not commit the client's reports branch")
			if firstErr == nil {
				firstErr = err
			}
		}
		done = done && ok && err == nil
	}
	return done, firstErr
}

// syncClient brings one client's branch up to date; see syncClients.
func (d *Daemon) syncClient(ctx context.Context, p *pass, client string, cf map[string][]byte, commit string, now time.Time) (bool, error) {
	src := d.src
	branch := reportsbranch.ClientBranch(p.branch, client)
	tree, err := reportsbranch.Fetch(ctx, src.RepoPath(), src.Remote(), branch, reportsbranch.WithAuth(src.Auth()))
	if err != nil {
		return false, err
	}
	if err := compliance.EnsureResults(cf, tree, commit, now); err != nil {
		return false, err
	}
	var remove []string
	names, err := tree.Names(reportsbranch.HostsDir)
	if err != nil {
		return false, err
	}
	for _, h := range names {
		if r := p.reports[h]; r == nil || r.Client != client {
			remove = append(remove, reportsbranch.HostsDir+"/"+h)
		}
	}
	changed, err := reportsbranch.Differs(tree, cf)
	if err != nil {
		return false, err
	}
	if !changed && len(remove) == 0 {
		return true, nil
	}
	due, err := d.commitDue(src.RepoPath(), tree.Head, now)
	if err != nil {
		return false, err
	}
	if now.Before(due) {
		d.log.WithFields(map[string]any{"client": client, "branch": branch, "due": due.UTC().Format(time.RFC3339)}).
			Debug("client's reports held back: its branch had a commit less than the report interval ago")
		d.setReportsDue(earliest(d.ReportsDue(), due))
		return false, nil
	}
	hosts, changedHosts, failed := clientCounts(p, client, cf)
	msg, trailers := reportsbranch.Message(commit, hosts, changedHosts, failed)
	_, _, err = reportsbranch.Sync(ctx, src.RepoPath(), src.Remote(), branch, cf,
		reportsbranch.Commit{Message: msg, Trailers: trailers, Author: signature(now), Remove: remove}, reportsbranch.WithAuth(src.Auth()))
	if err != nil {
		return false, fmt.Errorf("client %s: %w", client, err)
	}
	return true, nil
}

// earliest is the earlier of two times, zero counting as none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// clientCounts counts a client's hosts, and those its commit records a
// change or a failure of (countHosts over its hosts and its results.json).
func clientCounts(p *pass, client string, cf map[string][]byte) (hosts, changed, failed int) {
	for _, r := range p.reports {
		if r.Client == client {
			hosts++
		}
	}
	mine := &Outcome{}
	if p.out.Apply != nil {
		rep := *p.out.Apply
		rep.Hosts = nil
		for _, h := range p.out.Apply.Hosts {
			if r := p.reports[h.Host]; r != nil && r.Client == client {
				rep.Hosts = append(rep.Hosts, h)
			}
		}
		mine.Apply = &rep
	}
	changed, failed = countHosts(mine, cf)
	return hosts, changed, failed
}
