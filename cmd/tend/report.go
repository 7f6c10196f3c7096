package main

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/compliance"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/core/reportcache"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/reportsbranch/feedcopy"
	"github.com/tend-sh/tend/core/reportsbranch/history"
)

// reportFlags are the flags of tend report.
type reportFlags struct {
	inventory string
	at        atFlag
	json      bool
	markdown  bool
	out       string
	commit    bool
	push      string
	hosts     hostsFlag
	stale     staleFlag
	html      string
	history   string
}

func newReport(g *globals) *cobra.Command {
	f := &reportFlags{}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Show which hosts comply with their policies, and what is missing",
		Long: `Plans (exactly as tend plan does) and turns the plan into compliance, per host
and for the fleet. An update is required when a policy approves it and its
approval delay has passed; one that still waits for its window or an earlier
ring counts as missing.

Item states: missing (required, not installed), failed (required, and the last
apply of it failed), installed_rejected (installed, but matches a reject),
installed_pending_reboot (the provider reports a pending reboot; package
"(reboot)"); and, not against compliance: installed_other (installed, with an
update the policy skips or does not require yet, or pinned to a version the
sources do not offer), installed (a pinned or approved-by-name package at the
required version, or one tend installed; installed_at says when it did),
not_applicable (a pin or approve names a package the host does not have).
Installed packages no policy names and tend never installed are not listed.
A host is non_compliant when it has a missing, failed, installed_rejected or
pending reboot item or a plan error, unknown when it was never scanned, else
compliant. The fleet percentage counts scanned hosts only; summary.json's
recently_installed lists what tend installed in the 30 days up to --at (or
now).

Output: one line per host and the fleet's compliance (default), summary.json
(--json) or SUMMARY.md (--markdown). --out DIR also writes the reports-branch
layout: DIR/SUMMARY.md, DIR/summary.json, DIR/hosts/<host>/inventory.json and
DIR/hosts/<host>/report.json, each file replaced atomically.

--html DIR also writes the HTML compliance report, a static site
(DIR/index.html, DIR/clients/<client>.html, DIR/hosts/<host>.html) with no
script: the fleet, each client and host, and a compliance trend drawn from
the reports branch's history (--history REV, else git:REF's revision, else
the configuration repository's reports branch, local or a remote's copy).

Inventory sources are those of tend plan: live (default), DIR or git:REF.
Each host's last apply is part of the report: with git:REF, what tend serve
recorded there (with the dates of earlier installs and the halted
rollouts); otherwise the later of what tend apply kept in .tend/state and
what the reports branch's copies in the configuration's repository hold.

Exit status: 0 whatever the compliance (the report is informational), 1 on
errors.`,
		Example: `  tend report --inventory snapshots
  tend report --inventory git:origin/tend/reports --markdown > SUMMARY.md
  tend report --inventory snapshots --at 2026-11-28T22:30:00+01:00 --json
  tend report --inventory snapshots --out reports
  tend report --inventory git:origin/tend/reports --html site`,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return f.Validate() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.inventory, "inventory", "live", "where host inventories come from: live, DIR or git:REF")
	f.at.register(cmd, "report")
	fl.BoolVar(&f.json, "json", false, "print summary.json (the fleet summary) on stdout")
	fl.BoolVar(&f.markdown, "markdown", false, "print SUMMARY.md (the fleet overview) on stdout")
	fl.StringVar(&f.out, "out", "", "also write SUMMARY.md, summary.json and hosts/<host>/{inventory,report}.json under this directory")
	fl.BoolVar(&f.commit, "commit", false, "also commit that layout to the reports branch (tend { reports_branch }) of the configuration's Git repository, without touching its work tree; unchanged reports make no commit")
	fl.StringVar(&f.html, "html", "", "also write the HTML compliance report (a static site: index.html, clients/, hosts/) under this directory")
	fl.StringVar(&f.history, "history", "", "with --html: the reports branch revision whose commits draw the compliance trend (default: git:REF's, else the local reports branch or a remote's copy)")
	fl.StringVar(&f.push, "push", "", "with --commit: push the reports branch to this remote (never forced; retried on top of a concurrent writer's push)")
	f.hosts.register(cmd, "report on")
	f.stale.register(cmd)
	return cmd
}

// Validate checks the flags before anything is planned.
func (f *reportFlags) Validate() error {
	if f.json && f.markdown {
		return errors.New("--json and --markdown exclude each other")
	}
	if f.history != "" && f.html == "" {
		return errors.New("--history needs --html")
	}
	if f.push != "" && !f.commit {
		return errors.New("--push needs --commit")
	}
	if f.commit && f.hosts.value != "" {
		return errors.New("--commit writes the whole fleet's reports; --hosts would leave the other hosts out of the reports branch")
	}
	if err := f.hosts.Validate(); err != nil {
		return err
	}
	if err := f.stale.Validate(); err != nil {
		return err
	}
	return f.at.Validate()
}

func runReport(g *globals, f *reportFlags) error {
	po := engine.PlanOptions{Inventory: f.inventory, Now: f.at.now(), Hosts: f.hosts.patterns, StaleAfter: f.stale.after, SnapshotBlobs: f.commit}
	if f.commit && f.out == "" && f.html == "" {
		// Hosts whose inputs an earlier commit saw keep their report and
		// snapshot as the branch holds them (.tend/reportcache).
		po.Reports = reportcache.Open(g.dir)
	}
	res, err := makePlanWith(g, po, "reported")
	if err != nil {
		return err
	}
	for _, w := range res.Saved.Warnings {
		printWarning(g, w)
	}
	inv, pl := res.Inventory, res.Saved.Plan
	in := compliance.Input{
		Plan: pl, Inventory: inv, Clients: res.Config.HostLabels("client"),
		ConfigCommit: pl.Config.Commit, Now: pl.GeneratedAt,
		LastApply: res.LastApply, Warnings: res.Saved.Warnings,
		FirstSeen: firstSeenOf(res.History),
	}
	if res.Recorded != nil { // git:REF: the dates of earlier installs too
		in.Previous = res.Recorded.Reports
	}
	if res.Reuse != nil {
		g.log.Debugf("report cache: %d hosts reused, %d planned afresh (%d of them kept for later), %d snapshot files read",
			len(res.Reuse.Reused), len(inv)-len(res.Reuse.Reused), len(res.Reuse.Planned), res.Reuse.Read)
		in.Known = make(map[string]*model.Report, len(res.Reuse.Reused))
		for host, e := range res.Reuse.Reused {
			in.Known[host] = e.ReportWithKBs()
		}
	}
	reports, summary := compliance.Evaluate(in)
	if halted := res.Recorded.Halted(pl.Config.Commit); len(halted) > 0 {
		slices.Sort(halted)
		summary.HaltedRollouts = halted
	}
	if f.out != "" {
		if err := compliance.WriteLayout(f.out, reports, &summary, inv); err != nil {
			return err
		}
	}
	if f.html != "" {
		if err := writeHTML(g, f, res.Config, reports, &summary); err != nil {
			return err
		}
	}
	if f.commit {
		branch := res.Config.ReportsBranch()
		empty, err := compliance.ResultsJSON(pl.Config.Commit, pl.GeneratedAt, nil)
		if err != nil {
			return err
		}
		o := reportsbranch.CommitOptions{
			ConfigDir: g.dir, Branch: branch, Remote: f.push, Now: time.Now(),
			// From the first commit on, every commit has results.json
			// (tend history reads older ones the slow way).
			IfMissing: reportsbranch.Files{reportsbranch.ResultsFile: empty},
			// The url feeds this report matched with, as tend serve keeps
			// them, for plans made where no feed cache is (a pull
			// request's CI job).
			More: func(current *reportsbranch.Tree) (reportsbranch.Files, []string, error) {
				return feedcopy.Files(res.Config, engine.FeedCache(res.Config), current)
			},
		}
		// Snapshots the branch holds byte for byte stay as they are,
		// unencoded: the same tree as writing them all again; so do the
		// reports of the hosts the cache had.
		if o.Blobs, err = heldSnapshots(g, o, res.SnapshotBlobs, res.Reuse); err != nil {
			return err
		}
		if err := parseUnheld(res, o.Blobs); err != nil {
			return err
		}
		files, err := compliance.LayoutReusing(reports, &summary, inv, func(host string) bool {
			_, ok := o.Blobs[reportsbranch.SnapshotPath(host)]
			return ok
		}, func(host string) bool {
			_, ok := o.Blobs[reportsbranch.ReportPath(host)]
			return ok
		})
		if err != nil {
			return err
		}
		if err := addResults(g.dir, branch, files, reports, pl); err != nil {
			return err
		}
		hash, changed, err := reportsbranch.CommitReports(g.ctx, o, files, &summary, 0, failedHosts(summary))
		if err != nil {
			return err
		}
		if err := storeReports(po.Reports, res, reports, files); err != nil {
			fmt.Fprintf(g.stderr, "warning: could not keep the reports in %s: %v\n", po.Reports.Dir, err)
		}
		if changed {
			fmt.Fprintf(g.stderr, "Committed the reports to %s (%s).\n", branch, commitid.Short(hash.String()))
		} else {
			fmt.Fprintf(g.stderr, "The reports on %s are unchanged; no commit.\n", branch)
		}
	}
	switch {
	case f.json:
		return render.SummaryJSON(g.stdout, &summary)
	case f.markdown:
		return render.SummaryMarkdown(g.stdout, &summary, reports)
	}
	if err := render.ReportText(g.stdout, reports, &summary); err != nil {
		return err
	}
	if f.out != "" {
		fmt.Fprintf(g.stdout, "\nWrote the reports to %s\n", f.out)
	}
	return nil
}

// addResults adds results.json to files when the reports record applies
// the reports branch (its first copy in the configuration's repository:
// the local branch, else a remote's) does not hold yet.
func addResults(dir, branch string, files map[string][]byte, reports []model.Report, pl *model.Plan) error {
	copies, err := history.ReadCopies(dir, branch)
	if err != nil {
		return err
	}
	var previous map[string]*model.Report
	if len(copies) > 0 {
		previous = copies[0].Reports
	}
	applies := compliance.NewApplies(reports, previous, pl)
	if len(applies) == 0 {
		return nil
	}
	b, err := compliance.ResultsJSON(pl.Config.Commit, pl.GeneratedAt, applies)
	if err != nil {
		return err
	}
	files[reportsbranch.ResultsFile] = b
	return nil
}

// heldSnapshots returns, by path, the snapshot files (blob hashes as read,
// engine.PlanResult.SnapshotBlobs) the reports branch already holds, and
// the report files of the hosts reuse took from the cache that it holds
// as the cache rendered them.
func heldSnapshots(g *globals, o reportsbranch.CommitOptions, blobs map[string]plumbing.Hash, reuse *engine.Reuse) (map[string]plumbing.Hash, error) {
	if len(blobs) == 0 {
		return nil, nil
	}
	byPath := make(map[string]plumbing.Hash, len(blobs))
	for host, h := range blobs {
		byPath[reportsbranch.SnapshotPath(host)] = h
	}
	if reuse != nil {
		for host, e := range reuse.Reused {
			byPath[reportsbranch.ReportPath(host)] = e.Blob()
		}
	}
	return reportsbranch.Holding(g.ctx, o, byPath)
}

// parseUnheld parses the snapshots of the hosts whose plan and report came
// from the cache but whose snapshot the branch does not hold: it is
// encoded into the commit as a full run would.
func parseUnheld(res *engine.PlanResult, held map[string]plumbing.Hash) error {
	if res.Reuse == nil {
		return nil
	}
	for host := range res.Reuse.Reused {
		if _, ok := held[reportsbranch.SnapshotPath(host)]; ok {
			continue
		}
		snap, err := res.Reuse.Parse(host)
		if err != nil {
			return err
		}
		res.Inventory[host] = snap
	}
	return nil
}

// storeReports keeps in the cache what planning and evaluating gave the
// hosts planned afresh that a later commit may reuse, then bounds it.
func storeReports(c *reportcache.Cache, res *engine.PlanResult, reports []model.Report, files map[string][]byte) error {
	if c == nil || res.Reuse == nil {
		return nil
	}
	var keys []reportcache.Key
	var entries []*reportcache.Entry
	for i := range reports {
		r := &reports[i]
		planned, ok := res.Reuse.Planned[r.Host]
		rendered := files[reportsbranch.ReportPath(r.Host)]
		snap := res.Inventory[r.Host]
		if !ok || rendered == nil || snap == nil {
			continue
		}
		k := res.Reuse.Keys[r.Host]
		keys = append(keys, k)
		entries = append(entries, reportcache.NewEntry(k, planned, res.Source, snap, r, rendered))
	}
	if err := c.PutAll(keys, entries); err != nil {
		return err
	}
	return c.Save()
}

// failedHosts counts the hosts with a failed result in their last apply.
func failedHosts(s model.FleetSummary) int {
	hosts := map[string]bool{}
	for _, f := range s.Failures {
		hosts[f.Host] = true
	}
	return len(hosts)
}

// firstSeenOf looks up the first-seen times the plan used.
func firstSeenOf(h planner.History) func(host, provider, pkg, to string) (time.Time, bool) {
	return func(host, provider, pkg, to string) (time.Time, bool) {
		t, ok := h.FirstSeen[planner.UpdateKey{Host: host, Provider: provider, Package: pkg, To: to}]
		return t, ok
	}
}
