package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"

	"github.com/tend-sh/tend/core/advise"
	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/render/diagnostics"
)

// adviseFlags are the flags of tend advise.
type adviseFlags struct {
	inventory string
	at        atFlag
	kev       bool
	cvss      float64
	epss      float64
	expires   string
	push      string
	dryRun    bool
	// expiry is expires parsed by Validate.
	expiry time.Duration
}

// Validate checks the flags before anything is planned.
func (f *adviseFlags) Validate() error {
	if f.cvss < 0 || f.cvss > 10 {
		return fmt.Errorf("--cvss %g: want a CVSS base score from 0 to 10", f.cvss)
	}
	if f.epss < 0 || f.epss > 1 {
		return fmt.Errorf("--epss %g: want an EPSS probability from 0 to 1", f.epss)
	}
	d, err := parseDays(f.expires)
	if err != nil {
		return fmt.Errorf("--expires %q: %w", f.expires, err)
	}
	f.expiry = d
	if f.push != "" && f.dryRun {
		return errors.New("--push pushes the branches --dry-run does not make; give one of them")
	}
	return f.at.Validate()
}

// parseDays reads a whole number of days such as "30d".
func parseDays(s string) (time.Duration, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%dd", &n); err != nil || n <= 0 || fmt.Sprintf("%dd", n) != s {
		return 0, errors.New("want whole days, such as 30d")
	}
	return time.Duration(n) * 24 * time.Hour, nil
}

// selection is the CVEs the flags select: KEV-listed ones unless only a
// threshold is given.
func (f *adviseFlags) selection(cmd *cobra.Command) advise.Selection {
	s := advise.Selection{KEV: f.kev, CVSS: f.cvss, EPSS: f.epss}
	if !cmd.Flags().Changed("kev") && (f.cvss > 0 || f.epss > 0) {
		s.KEV = false
	}
	return s
}

func newAdvise(g *globals) *cobra.Command {
	f := &adviseFlags{}
	cmd := &cobra.Command{
		Use:   "advise",
		Short: "Propose, on a Git branch per CVE, the configuration that fast-tracks its fix",
		Long: `Plans the configuration against the feeds (as tend plan does, with the cached
copies) and an inventory, and for each CVE the fleet is exposed to — listed in
CISA's KEV catalog (--kev, the default), or scoring at least --cvss or --epss —
whose fixing updates the plan does not install now (not approved, or approved
and waiting for a window, a ring or a delay), writes the change that installs
them at once: a file advise-CVE-YYYY-NNNN.tend.hcl in the configuration
directory, with one advisory block per policy of the exposed hosts. An
advisory approves only the updates of the named packages that fix its CVE, on
the named hosts, puts them in the fast lane, and expires after --expires; the
file's comments give the CVE's CVSS, EPSS, KEV due date and the fixes missing.
Updates the policy rejects, excludes or pins stay held and are only listed.

Each file is committed on a new branch tend/advise/CVE-YYYY-NNNN, on top of
the checked-out commit (HEAD), without touching the work tree, the index or
the current branch; the commit message is the pull request's title and
description, which tend advise also prints. Before the branch is made, the
configuration at that commit is loaded and planned from the same inventory
and time: it must validate, and its plan must add exactly the fixing updates,
each through the advisory's fast lane, and nothing else.

A CVE whose branch exists (locally or as REMOTE's remote-tracking branch) or
whose fixes are already approved and due is skipped: running tend advise
again makes no duplicate branch. --push REMOTE pushes each new branch; open
the pull request with gh pr create --head tend/advise/CVE-… (docs/operations.md).

Inventory sources are those of tend plan (live, DIR, git:REF).`,
		Example: `  tend advise --inventory git:origin/tend/reports
  tend advise --inventory snapshots --cvss 9 --dry-run
  tend advise --inventory git:origin/tend/reports --push origin`,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return f.Validate() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAdvise(g, f, f.selection(cmd))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.inventory, "inventory", "live", "where host inventories come from: live, DIR or git:REF")
	f.at.register(cmd, "advise")
	fl.BoolVar(&f.kev, "kev", true, "select CVEs in CISA's Known Exploited Vulnerabilities catalog (the default unless --cvss or --epss is given)")
	fl.Float64Var(&f.cvss, "cvss", 0, "also select CVEs with a CVSS base score of at least this (0–10)")
	fl.Float64Var(&f.epss, "epss", 0, "also select CVEs with an EPSS probability of at least this (0–1)")
	fl.StringVar(&f.expires, "expires", "30d", "how long each advisory approves, in whole days (its until)")
	fl.StringVar(&f.push, "push", "", "push each new branch to this remote")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the files and descriptions, make no branch")
	return cmd
}

func runAdvise(g *globals, f *adviseFlags, sel advise.Selection) error {
	now := f.at.now()
	res, err := makePlanWith(g, engine.PlanOptions{Inventory: f.inventory, Now: now}, "advised")
	if err != nil {
		return err
	}
	if len(res.Vulns) == 0 {
		return errors.New("no vulnerability feeds: declare feed blocks (docs/language.md#feed) and run tend feeds update")
	}
	exposures := advise.Exposures(res.Saved.Plan, sel)
	if len(exposures) == 0 {
		fmt.Fprintln(g.stdout, "No exposure needs an advisory: every selected CVE's fixes are installed, due now or kept back by policy.")
		return nil
	}
	var repo *advise.Repo
	if !f.dryRun {
		if repo, err = advise.OpenRepo(g.dir); err != nil {
			return err
		}
	}
	until := now.Add(f.expiry)
	made := 0
	for _, e := range exposures {
		file := e.File()
		content := advise.Render(e, until, now)
		title, body := advise.Title(e), advise.Description(e, file, until)
		fmt.Fprintf(g.stdout, "%s: %d %s to fast-track on %d %s\n", e.Vuln.ID, len(e.Updates), plural(len(e.Updates), "update", "updates"),
			len(e.Hosts()), plural(len(e.Hosts()), "host", "hosts"))
		if f.dryRun {
			fmt.Fprintf(g.stdout, "\n--- %s\n%s\n--- pull request: %s\n\n%s\n", file, content, title, body)
			continue
		}
		remote := f.push
		if remote == "" {
			remote = "origin"
		}
		if where, ok := repo.BranchExists(e.Branch(), remote); ok {
			fmt.Fprintf(g.stdout, "  skipped: branch %s exists (%s)\n", e.Branch(), where)
			continue
		}
		commit, err := repo.Commit(file, content, title+"\n\n"+body, time.Now())
		if err != nil {
			return fmt.Errorf("%s: %w", e.Vuln.ID, err)
		}
		held, err := checkAdvisory(g, res, commit, e)
		if err != nil {
			return err
		}
		if err := repo.CreateBranch(e.Branch(), commit); err != nil {
			return err
		}
		made++
		fmt.Fprintf(g.stdout, "  branch %s (%s) adds %s\n", e.Branch(), commitid.Abbrev(commit.String()), repo.Path(file))
		for _, h := range held {
			fmt.Fprintf(g.stdout, "  note: %s\n", h)
		}
		if f.push != "" {
			if err := repo.Push(g.ctx, f.push, e.Branch()); err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "  pushed to %s\n", f.push)
		}
		fmt.Fprintf(g.stdout, "\n%s\n\n%s\n", title, body)
	}
	if !f.dryRun {
		fmt.Fprintf(g.stdout, "%d %s made.\n", made, plural(made, "branch", "branches"))
	}
	return nil
}

// checkAdvisory plans the configuration at commit from the plan's
// inventory and time and checks it fast-tracks exactly e's fixes.
func checkAdvisory(g *globals, res *engine.PlanResult, commit plumbing.Hash, e *advise.Exposure) ([]string, error) {
	base, err := engine.PlanBase(res, g.dir, commit.String())
	if errors.Is(err, engine.ErrBaseConfig) {
		if werr := diagnostics.Write(g.stderr, base.Diagnostics, base.Sources); werr != nil {
			return nil, werr
		}
		return nil, fmt.Errorf("the advisory for %s does not validate; no branch was made", e.Vuln.ID)
	}
	if err != nil {
		return nil, err
	}
	held, err := advise.Check(res.Saved.Plan, base.Plan, e)
	if err != nil {
		return nil, fmt.Errorf("%w; no branch was made", err)
	}
	return held, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
