package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/lastapply"
	"github.com/tend-sh/tend/core/localstate"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/core/savedplan"
	"github.com/tend-sh/tend/core/session"
)

// applyFlags are the flags of tend apply.
type applyFlags struct {
	autoApprove bool
	inventory   string
	json        bool
	verbose     bool
	at          atFlag
	hosts       hostsFlag
}

// Validate checks the flags and arguments before anything is planned or
// applied: --json has no prompt to ask on, so without a plan file it needs
// --auto-approve.
func (f *applyFlags) Validate(args []string) error {
	if f.json && len(args) == 0 && !f.autoApprove {
		return errors.New("--json without a plan file needs --auto-approve: there is no prompt in JSON output")
	}
	if f.at.value != "" && len(args) == 1 {
		return errors.New("--at plans as of another time; a plan file was made at its own: plan again with tend plan --at … -out FILE")
	}
	if err := f.hosts.Validate(); err != nil {
		return err
	}
	return f.at.Validate()
}

func newApply(g *globals) *cobra.Command {
	f := &applyFlags{}
	cmd := &cobra.Command{
		Use:   "apply [PLAN]",
		Short: "Apply a saved plan, or plan and apply",
		Long: `With a plan file (from tend plan -out), applies exactly that plan — and refuses
it if the configuration or any host's inventory changed since it was made.
Without one, scans the hosts (or reads --inventory), shows the plan, and
applies it after you type "yes", or at once with --auto-approve.

Actions run policy by policy and ring by ring, at most max_parallel hosts at a
time; a policy's rollout halts once more than max_failures hosts failed. A
policy whose window has closed since the plan was made is skipped. Each host's
actions go to its provider in one request (apt: one transaction). Ctrl-C
stops starting new hosts, interrupts running ones and reports what was done.

Progress goes to stderr: on a terminal one status line rewritten in place;
on a pipe or in CI one line per finished host ("web_1 apt: 2 succeeded, 1
failed") with, under it, each failed action's message. -v prints every
provider event instead.

With --json, stdout holds one JSON document once the apply is over: the plan
applied and every action's result, host by host (docs/cli.md, "Apply JSON").

Approval delays come due as with tend serve: when updates were first seen is
kept in .tend/state. Each host's results are kept in
.tend/state/hosts/<host>/last_apply.json for tend report.

--at runs on another clock, to try out an approval delay or a window: the
live scan is stamped with that time (an update this run sees first is first
seen then), and the plan and the windows are judged as of it. The hosts are
scanned and changed for real; the results carry the real time.

Live plans resolve each host's transaction with its provider (apt: apt-get
--simulate) and list the packages it changes beyond the actions; a host whose
transaction the policy blocks (a rejected, excluded or pinned dependency, a
removal) is not touched and fails. The provider checks at apply time that the
transaction is still the one the plan showed, and installs nothing if not.

Exit status 1 if any action failed or a host's transaction was blocked.`,
		Example: `  tend plan -out patch.tendplan && tend apply patch.tendplan
  tend apply --auto-approve
  tend apply --auto-approve --at 2026-11-28T22:30:00+01:00`,
		Args:    cobra.MaximumNArgs(1),
		PreRunE: func(_ *cobra.Command, args []string) error { return f.Validate(args) },
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApply(g, f, args)
		},
	}
	cmd.Flags().BoolVar(&f.autoApprove, "auto-approve", false, "apply without asking (no plan file)")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the plan and every action's result as one JSON document on stdout (progress stays on stderr)")
	cmd.Flags().BoolVarP(&f.verbose, "verbose", "v", false, "print every provider event as a line on stderr (off a terminal the default is one line per finished host, with what failed)")
	cmd.Flags().StringVar(&f.inventory, "inventory", "live", "with no plan file: where inventories come from (live, DIR, git:REF)")
	f.at.register(cmd, "with no plan file: plan and apply")
	f.hosts.register(cmd, "apply to (with a plan file: that plan's actions on these hosts only)")
	return cmd
}

func runApply(g *globals, f *applyFlags, args []string) error {
	var (
		cfg  *config.Config
		plan *model.Plan
		ps   *session.Providers
	)
	if len(args) == 1 {
		var err error
		if cfg, err = loadConfig(g); err != nil {
			return err
		}
		sp, err := readSaved(args[0])
		if err != nil {
			return err
		}
		if err := savedplan.CheckStale(sp, cfg); err != nil {
			return err
		}
		plan = sp.Plan
		if len(f.hosts.patterns) > 0 {
			plan.Narrow(f.hosts.patterns.Match)
			if len(plan.Hosts) == 0 {
				return fmt.Errorf("--hosts %s selects no host of the plan %s", f.hosts.value, args[0])
			}
		}
	} else {
		o := engine.PlanOptions{Inventory: f.inventory, Now: f.at.now(), KeepProviders: true, Hosts: f.hosts.patterns}
		if !f.at.time.IsZero() {
			o.ScanNow = func() time.Time { return f.at.time }
		}
		res, err := makePlanWith(g, o, "applied")
		if err != nil {
			return err
		}
		// The providers that scanned also apply: started once per run.
		if res.Providers != nil {
			ps = res.Providers
			defer ps.Close()
		}
		if err := f.showPlan(g, res.Saved); err != nil {
			return err
		}
		// Apply with the configuration the plan was made from.
		cfg, plan = res.Config, res.Saved.Plan
		if !plan.HasChanges() && plan.BlockedHosts() == 0 {
			return f.results(g, plan, nil)
		}
		if plan.HasChanges() && !f.autoApprove {
			if err := confirm(g); err != nil {
				return err
			}
		}
	}
	if !plan.HasChanges() && plan.BlockedHosts() == 0 {
		if f.json {
			return f.results(g, plan, nil)
		}
		fmt.Fprintln(g.stdout, "The plan has no actions; nothing to apply.")
		return nil
	}
	if ps == nil {
		var err error
		if ps, err = session.OpenProviders(cfg, g.log); err != nil {
			return err
		}
		defer ps.Close()
	}
	applied, skipped := plan, []apply.HostResult(nil)
	if len(args) == 1 && plan.Inventory.Source != "live" {
		// The plan's inventory is a copy (snapshots, the reports branch):
		// what changed on the hosts since is seen only by scanning them.
		applied, skipped = recheck(g, cfg, ps, plan)
	}
	withActions := 0
	for _, h := range applied.Hosts {
		if len(h.Actions) > 0 || h.Blocked() {
			withActions++
		}
	}
	po := progressOptions(g.stderr)
	po.Verbose = f.verbose
	progress := render.ApplyProgress(g.stderr, withActions, po)
	rep := apply.Apply(g.ctx, cfg, ps, applied, apply.Options{Progress: progress, Now: f.at.time})
	apply.Merge(rep, skipped, time.Now())
	last := lastapply.New(nil)
	last.AddRun(rep)
	recordErr := localstate.WriteLastApplies(cfg.Dir, last.Hosts)
	if plan.Inventory.Source == "live" {
		rescan(g, cfg, ps, rep)
	}
	if err := f.results(g, plan, rep); err != nil {
		return err
	}
	if recordErr != nil {
		return fmt.Errorf("the apply ran (results above), but tend report will not know: %w", recordErr)
	}
	if g.ctx.Err() != nil {
		fmt.Fprintln(g.stderr, "Interrupted: hosts not started were skipped; see the results above.")
	}
	if rep.Failed() > 0 || g.ctx.Err() != nil {
		return exitError{1}
	}
	return nil
}

// recheck scans the hosts with actions in an offline plan and leaves out
// the actions whose package is already at its target or moved since the
// plan's inventory (apply.Recheck), each said on stderr. A host that
// cannot be scanned keeps its actions (the apply then finds what is
// wrong with it).
func recheck(g *globals, cfg *config.Config, ps *session.Providers, plan *model.Plan) (*model.Plan, []apply.HostResult) {
	var hosts []string
	for _, h := range plan.Hosts {
		if len(h.Actions) > 0 {
			hosts = append(hosts, h.Host)
		}
	}
	if len(hosts) == 0 {
		return plan, nil
	}
	live, err := session.Scan(g.ctx, cfg, ps, session.ScanOptions{Hosts: hosts})
	if err != nil {
		g.log.Warnf("re-checking the plan against the hosts: %v", err)
	}
	applied, skipped := apply.Recheck(plan, live)
	for _, h := range skipped {
		for _, r := range h.Results {
			fmt.Fprintf(g.stderr, "%s %s: skipped %s: %s\n", h.Host, h.Provider, r.ActionID, r.Message)
		}
	}
	return applied, skipped
}

// confirm asks on the terminal; without one it refuses.
func confirm(g *globals) error {
	if !isTerminal(os.Stdin) {
		return errors.New("no plan file and no --auto-approve, and no terminal to ask on: save a plan with tend plan -out FILE, or pass --auto-approve")
	}
	fmt.Fprint(g.stdout, "\nApply these actions? Only 'yes' will be accepted: ")
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		fmt.Fprintln(g.stdout, "Apply cancelled.")
		return exitError{1}
	}
	return nil
}

// rescan refreshes the kept snapshots of the hosts that were changed, so the
// next plan starts from what is really installed.
func rescan(g *globals, cfg *config.Config, ps *session.Providers, rep *apply.Report) {
	var hosts []string
	for _, h := range rep.Hosts {
		if len(h.Results) > 0 { // not a blocked host: its snapshot and resolution stand
			hosts = append(hosts, h.Host)
		}
	}
	if len(hosts) == 0 {
		return
	}
	out := filepath.Join(cfg.Dir, inventory.DefaultDir)
	if _, err := session.Scan(g.ctx, cfg, ps, session.ScanOptions{Hosts: hosts, OutDir: out}); err != nil {
		g.log.Warnf("re-scan after apply: %v", err)
	}
}

// showPlan prints the plan about to be applied: the text view, or with
// --json only its warnings (the plan is part of the results document).
func (f *applyFlags) showPlan(g *globals, sp *model.SavedPlan) error {
	if f.json {
		for _, w := range sp.Warnings {
			printWarning(g, w)
		}
		return nil
	}
	return (&viewFlags{}).render(g, sp, viewExtras{})
}

// results prints what the apply did (nil: the plan had nothing to apply,
// printed only with --json).
func (f *applyFlags) results(g *globals, plan *model.Plan, rep *apply.Report) error {
	if f.json {
		return render.ApplyJSON(g.stdout, plan, rep)
	}
	if rep == nil {
		return nil
	}
	return render.ApplyText(g.stdout, plan, rep)
}

// progressOptions show progress in place on a terminal, cut to its width.
func progressOptions(w any) render.ProgressOptions {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return render.ProgressOptions{}
	}
	return render.ProgressOptions{Terminal: true, Width: func() int {
		width, _, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0
		}
		return width
	}}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
