package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/core/reportsbranch/audit"
)

// historyFlags are the flags of tend history.
type historyFlags struct {
	client string
	since  string
	json   bool
	ref    string
}

func newHistory(g *globals) *cobra.Command {
	f := &historyFlags{}
	cmd := &cobra.Command{
		Use:   "history [HOST...]",
		Short: "List what tend installed, upgraded, downgraded, rolled back or rebooted, when and why",
		Long: `Walks the reports branch's history (Git objects only: no checkout, no network)
and lists every action of every apply it records, newest first: when the apply
on the host finished, the host and its client label, what happened
(installed, upgraded, downgraded, removed, held, unheld, rebooted; or failed,
interrupted, rolled_back, skipped), the package and versions, the policy that
planned it, and the configuration commit it ran under with that commit's
author and subject (from the configuration's repository, when it has the
commit).

Each commit tend serve or tend report --commit makes records the applies it
reports for the first time in results.json; history reads that one file per
commit, and skips a commit whose results.json is its parent's. Commits made
before tend wrote results.json are read from the last_apply of the host
reports they changed: slower, and without the action's type and policy.

The branch is --ref when given (a branch, remote branch or commit of the
configuration's repository, e.g. origin/tend/reports), else the reports branch
the configuration names (tend { reports_branch }, default tend/reports): the
local branch, else the first remote's copy of it, as git fetch left it.

--since takes a duration back from now (30d, 12h, 90m) or a date
(2026-11-01, or RFC 3339); commits older than it are not read.`,
		Example: `  tend history
  tend history web_1 db_1 --since 7d
  tend history --client acme --since 30d --json
  tend history --ref origin/tend/reports`,
		PreRunE: func(*cobra.Command, []string) error { return f.Validate() },
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHistory(g, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.client, "client", "", "only hosts with this client label")
	fl.StringVar(&f.since, "since", "", "only applies since: a duration back from now (30d, 12h) or a date (2026-11-01, RFC 3339)")
	fl.BoolVar(&f.json, "json", false, "print the events as JSON")
	fl.StringVar(&f.ref, "ref", "", "the reports branch revision to read (default: the configuration's reports branch, local or fetched)")
	return cmd
}

// Validate checks the flags before anything is read.
func (f *historyFlags) Validate() error {
	_, err := parseSince(f.since, time.Now())
	return err
}

// parseSince reads --since: "" (no bound), Nd, a Go duration, a date or an
// RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration back from now (30d, 12h) or a date (2026-11-01, RFC 3339)", s)
}

func runHistory(g *globals, f *historyFlags, hosts []string) error {
	since, err := parseSince(f.since, time.Now())
	if err != nil {
		return err
	}
	repo, err := openRepository(g.dir)
	if err != nil {
		return err
	}
	head, err := historyHead(g, repo, f.ref)
	if err != nil {
		return err
	}
	events, err := audit.Walk(repo.Storer, head, audit.Filter{Hosts: hosts, Client: f.client, Since: since}, repo.Storer)
	if err != nil {
		return err
	}
	if f.json {
		return render.HistoryJSON(g.stdout, events)
	}
	return render.HistoryText(g.stdout, events)
}

// openRepository opens the Git repository holding dir: dir itself (also a
// bare repository, such as tend serve's --repo) or the nearest parent with
// a .git.
func openRepository(dir string) (*git.Repository, error) {
	repo, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		repo, err = git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	}
	if err != nil {
		return nil, fmt.Errorf("%s is not in a Git repository: %w", dir, err)
	}
	return repo, nil
}

// historyHead resolves --ref, or else the configuration's reports branch:
// the local branch, else a remote's copy.
func historyHead(g *globals, repo *git.Repository, ref string) (plumbing.Hash, error) {
	if ref != "" {
		h, err := repo.ResolveRevision(plumbing.Revision(ref))
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("--ref %s: %w", ref, err)
		}
		return *h, nil
	}
	cfg, err := loadConfig(g)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	branch := cfg.ReportsBranch()
	if ref, err := repo.Reference(plumbing.NewBranchReferenceName(branch), true); err == nil {
		return ref.Hash(), nil
	} else if !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, err
	}
	remotes, err := repo.Remotes()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	for _, r := range remotes {
		if ref, err := repo.Reference(plumbing.NewRemoteReferenceName(r.Config().Name, branch), true); err == nil {
			return ref.Hash(), nil
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("no reports branch %s in the repository holding %s (tend serve or tend report --commit writes it; git fetch brings a remote's)", branch, g.dir)
}
