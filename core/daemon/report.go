package daemon

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/compliance"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/reportsbranch/history"
	"github.com/tend-sh/tend/core/rollout"
)

// StatusFileJSON is the content of status.json.
type StatusFileJSON struct {
	FormatVersion string   `json:"format_version"`
	Head          string   `json:"head"`
	Applied       string   `json:"applied"`
	State         string   `json:"state"`
	Problem       string   `json:"problem"`
	Diagnostics   []string `json:"diagnostics"`
}

// branchCache remembers what this daemon last found or wrote on the
// reports branch, so that while nobody else moves the branch a reconcile
// neither re-reads every host's report nor compares every file's content:
// it hashes what it is about to write instead.
type branchCache struct {
	head plumbing.Hash
	prev *history.Recorded
	// sums are the SHA-256 of each file without its timestamps.
	sums map[string][sha256.Size]byte
}

// previousState returns the earlier reconciles' state, from the cache when
// the branch has not moved since.
func (d *Daemon) previousState(t *reportsbranch.Tree) (*history.Recorded, error) {
	if c := d.cache; c != nil && !t.Head.IsZero() && c.head == t.Head {
		return c.prev, nil
	}
	d.cache = nil
	return history.Read(t)
}

// changedFiles reports whether any file differs from the branch's copy in
// more than timestamps.
func (d *Daemon) changedFiles(t *reportsbranch.Tree, files map[string][]byte) (bool, error) {
	if t.Unpushed() {
		return true, nil // the remote lacks what the branch holds
	}
	c := d.cache
	if c == nil || c.head != t.Head || c.sums == nil {
		return reportsbranch.Differs(t, files)
	}
	for p, b := range files {
		if old, ok := c.sums[p]; !ok || old != reportsbranch.NormalizedSum(b) {
			return true, nil
		}
	}
	return false, nil
}

// remember caches the state the branch holds at head after this
// reconcile.
func (d *Daemon) remember(head plumbing.Hash, files map[string][]byte, rec *history.Recorded) {
	c := &branchCache{head: head, prev: rec, sums: map[string][sha256.Size]byte{}}
	for p, b := range files {
		c.sums[p] = reportsbranch.NormalizedSum(b)
	}
	d.cache = c
}

// report computes compliance and the rollout states, and commits the
// reports layout unless nothing but timestamps changed. It runs to the end
// even when the reconcile was cancelled; when it fails, the journal keeps
// this reconcile's results for the next one.
func (d *Daemon) report(ctx context.Context, p *pass) error {
	ctx = context.WithoutCancel(ctx)
	commit, now := p.good.commit.String(), d.o.Now().UTC()
	files, states, err := d.layout(p, now)
	if err != nil {
		return &RetryError{Reason: "layout_failed", Err: err}
	}
	feedRemove := d.addFeedCopies(p, files)
	out, tree := p.out, p.tree
	if err := compliance.EnsureResults(files, tree, commit, now); err != nil {
		return &RetryError{Reason: "reports_branch_unreadable", Err: err}
	}
	rec := &history.Recorded{Rollouts: states, LastApply: p.lastApply.Hosts, Reports: p.reports}
	changed, err := d.changedFiles(tree, files)
	if err != nil {
		return &RetryError{Reason: "reports_branch_unreadable", Err: err}
	}
	if !changed {
		out.ReportsCommit = tree.Head
		d.remember(tree.Head, files, rec)
		d.released()
		if err := d.clientsUpToDate(ctx, p, files, tree.Head, now); err != nil {
			return err
		}
		d.compact()
		return nil
	}
	src := d.src
	due, err := d.commitDue(src.RepoPath(), tree.Head, now)
	if err != nil {
		return &RetryError{Reason: "reports_branch_unreadable", Err: err}
	}
	if now.Before(due) {
		// The next reconcile plans with these rollout states, but finds
		// the applies as new as the branch does (the journal keeps them),
		// so the commit that holds them lists them in results.json.
		held := &history.Recorded{Rollouts: states, LastApply: p.prev.LastApply, Reports: p.prev.Reports}
		if err := d.hold(p.branch, tree, held, due); err != nil {
			return &RetryError{Reason: "layout_failed", Err: err}
		}
		out.ReportsCommit, out.ReportsHeld = tree.Head, true
		d.log.WithFields(map[string]any{"branch": p.branch, "due": due.UTC().Format(time.RFC3339)}).
			Debug("reports held back: the branch had a commit less than the report interval ago")
		return nil // the journal keeps the results until a commit holds them
	}
	var remove []string
	if d.o.HTML {
		if remove, err = d.addHTML(p, files); err != nil {
			return &RetryError{Reason: "layout_failed", Err: err}
		}
	}
	remove = append(remove, feedRemove...)
	hosts, failed := countHosts(out, files)
	msg, trailers := reportsbranch.Message(commit, out.Summary.Hosts, hosts, failed)
	head, committed, err := reportsbranch.Sync(ctx, src.RepoPath(), src.Remote(), p.branch, files,
		reportsbranch.Commit{Message: msg, Trailers: trailers, Author: signature(now), Remove: remove}, reportsbranch.WithAuth(src.Auth()))
	if err != nil {
		return &RetryError{Reason: "push_failed", Err: err}
	}
	out.ReportsCommit, out.Committed = head, committed
	d.remember(head, files, rec)
	d.released()
	if err := d.clientsUpToDate(ctx, p, files, head, now); err != nil {
		return err
	}
	d.compact()
	return nil
}

// clientsUpToDate brings the per-client branches up to date with the
// fleet branch at head, unless they already are (clients.go).
func (d *Daemon) clientsUpToDate(ctx context.Context, p *pass, files map[string][]byte, head plumbing.Hash, now time.Time) error {
	if !d.o.ReportsPerClient || d.clientsAt == head {
		return nil
	}
	done, err := d.syncClients(ctx, p, files, now)
	if err != nil {
		return &RetryError{Reason: "push_failed", Err: err}
	}
	if done {
		d.clientsAt = head
	}
	return nil
}

// layout computes the rollout states and compliance (the fleet summary
// goes to the outcome) and returns the files of the reports layout, with
// the rollout states.
func (d *Daemon) layout(p *pass, now time.Time) (map[string][]byte, map[string]*rollout.State, error) {
	cfg, commit, out, inv := p.good.cfg, p.good.commit.String(), p.out, p.inv
	states, halted := rollout.NextAll(p.prev.Rollouts, rollout.Pass{Config: cfg, ConfigCommit: commit,
		Before: out.Plan, After: out.After, Inventory: inv, Halted: haltedBy(out.Apply), Now: now})

	reports, summary := compliance.Evaluate(compliance.Input{
		Plan: out.After, Inventory: inv, LastApply: p.lastApply.Hosts, Previous: p.prev.Reports,
		Clients: cfg.HostLabels("client"), ConfigCommit: commit, Now: now, Warnings: p.warns,
		FirstSeen: firstSeenIn(rollout.History(states)),
	})
	p.reports = make(map[string]*model.Report, len(reports))
	for i := range reports {
		p.reports[reports[i].Host] = &reports[i]
	}
	summary.HaltedRollouts = halted
	if summary.HaltedRollouts == nil {
		summary.HaltedRollouts = []string{}
	}
	d.addPresence(p, reports, &summary, now)
	out.Summary = &summary
	files, err := compliance.Layout(reports, &summary, inv)
	if err != nil {
		return nil, nil, err
	}
	if applies := compliance.NewApplies(reports, p.prev.Reports, out.Plan); len(applies) > 0 {
		b, err := compliance.ResultsJSON(commit, now, applies)
		if err != nil {
			return nil, nil, err
		}
		files[reportsbranch.ResultsFile] = b
	}
	for name, s := range states {
		b, err := rollout.Encode(s)
		if err != nil {
			return nil, nil, err
		}
		files[reportsbranch.RolloutPath(name)] = b
	}
	if err := d.addStatus(files, out); err != nil {
		return nil, nil, err
	}
	return files, states, nil
}

// haltedBy names the policies whose rollout the apply halted, each with
// its hosts that failed.
func haltedBy(rep *apply.Report) map[string][]string {
	if rep == nil {
		return nil
	}
	halted := map[string][]string{}
	for _, name := range rep.Halted {
		var failed []string
		for _, h := range rep.Hosts {
			if h.Policy == name && h.Failed() {
				failed = append(failed, h.Host)
			}
		}
		halted[name] = failed
	}
	return halted
}

// compact drops finished records from the journal once the reports hold
// them.
func (d *Daemon) compact() {
	if err := d.journal.Compact(); err != nil {
		d.log.WithError(err).Error("could not compact the apply journal")
	}
}

// countHosts counts the hosts this commit records a change or a failure
// of: this reconcile's applies, and those of reconciles whose reports were
// held back (the new applies of results.json).
func countHosts(out *Outcome, files map[string][]byte) (changed, failed int) {
	c, f := map[string]bool{}, map[string]bool{}
	if out.Apply != nil {
		for _, h := range out.Apply.Hosts {
			for _, r := range h.Results {
				if r.Status == model.StatusSucceeded {
					c[h.Host] = true
				}
			}
			if h.Failed() {
				f[h.Host] = true
			}
		}
	}
	var res model.Results
	if b := files[reportsbranch.ResultsFile]; b != nil && json.Unmarshal(b, &res) == nil {
		for _, a := range res.Applies {
			for _, r := range a.Results {
				switch r.Status {
				case model.StatusSucceeded:
					c[a.Host] = true
				case model.StatusFailed, model.StatusInterrupted:
					f[a.Host] = true
				}
			}
		}
	}
	return len(c), len(f)
}

// addStatus adds status.json, and a banner on SUMMARY.md while the head's
// configuration is rejected.
func (d *Daemon) addStatus(files map[string][]byte, out *Outcome) error {
	s := d.Status()
	sj := StatusFileJSON{FormatVersion: "1", Head: s.Head, Applied: s.Applied, State: s.State, Problem: s.Problem,
		Diagnostics: s.Diagnostics}
	if sj.Diagnostics == nil {
		sj.Diagnostics = []string{}
	}
	b, err := json.MarshalIndent(sj, "", "  ")
	if err != nil {
		return err
	}
	files[reportsbranch.StatusFile] = append(b, '\n')
	if s.State != StateOK && files[reportsbranch.SummaryMarkdownFile] != nil {
		applied := ""
		if s.Applied != "" {
			applied = commitid.Short(s.Applied)
		}
		var banner bytes.Buffer
		if err := render.RejectedBanner(&banner, render.RejectedConfig{Head: commitid.Short(s.Head), Applied: applied,
			State: s.State, Problem: s.Problem, Diagnostics: s.Diagnostics}); err != nil {
			return err
		}
		files[reportsbranch.SummaryMarkdownFile] = append(banner.Bytes(), files[reportsbranch.SummaryMarkdownFile]...)
	}
	return nil
}

// commitStatusOnly records, before any configuration ever loaded, why the
// head's was rejected.
func (d *Daemon) commitStatusOnly(ctx context.Context, out *Outcome, branch string) error {
	if branch == "" {
		branch = config.DefaultReportsBranch
	}
	files := map[string][]byte{}
	if err := d.addStatus(files, out); err != nil {
		return err
	}
	src := d.src
	msg := fmt.Sprintf("tend: %s rejected: %s", commitid.Short(out.Head), d.Status().State)
	_, _, err := reportsbranch.Sync(ctx, src.RepoPath(), src.Remote(), branch, files,
		reportsbranch.Commit{Message: msg, Author: signature(d.o.Now().UTC())}, reportsbranch.WithAuth(src.Auth()))
	return err
}

// firstSeenIn looks up first-seen times in the rollout states' history.
func firstSeenIn(h planner.History) func(host, provider, pkg, to string) (time.Time, bool) {
	return func(host, provider, pkg, to string) (time.Time, bool) {
		t, ok := h.FirstSeen[planner.UpdateKey{Host: host, Provider: provider, Package: pkg, To: to}]
		return t, ok
	}
}
