package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/plandiff"
	"github.com/tend-sh/tend/core/render/diagnostics"
	"github.com/tend-sh/tend/core/savedplan"
)

// planFlags are the flags of tend plan.
type planFlags struct {
	inventory string
	at        atFlag
	out       string
	detailed  bool
	base      string
	view      viewFlags
	hosts     hostsFlag
	stale     staleFlag
}

// Validate checks the flags before anything is planned.
func (f *planFlags) Validate() error {
	if err := f.view.Validate(); err != nil {
		return err
	}
	if err := f.hosts.Validate(); err != nil {
		return err
	}
	if err := f.stale.Validate(); err != nil {
		return err
	}
	if f.base != "" && f.view.json {
		return errors.New("--base compares in the text and Markdown views; --json prints the plan contract alone (plan both revisions for a machine diff)")
	}
	return f.at.Validate()
}

// atFlag is --at, the time a plan or report is made as of.
type atFlag struct {
	value string
	// time is the parsed value, set by Validate; zero means now.
	time time.Time
}

func (a *atFlag) register(cmd *cobra.Command, what string) {
	cmd.Flags().StringVar(&a.value, "at", "", what+" as of this time (RFC 3339, e.g. 2026-11-28T22:30:00+01:00); default now")
}

// Validate parses the time.
func (a *atFlag) Validate() error {
	if a.value == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, a.value)
	if err != nil {
		return fmt.Errorf("--at %q: want an RFC 3339 time such as 2026-11-28T22:30:00+01:00", a.value)
	}
	a.time = t
	return nil
}

// now is the validated time, or the current time without --at.
func (a *atFlag) now() time.Time {
	if a.time.IsZero() {
		return time.Now()
	}
	return a.time
}

func newPlan(g *globals) *cobra.Command {
	f := &planFlags{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what would be installed where, when, and why not the rest",
		Long: `Computes the patch plan from the configuration and an inventory: for every
host a policy targets, the actions to take now, the approved updates that wait
(window closed, approval delay, earlier rollout ring) with when they become
due, and the updates left alone (rejected, excluded, pinned, not approved),
each with its reason.

With live inventory each host's actions are resolved by its provider, read-only
(apt: apt-get --simulate), and the plan lists every package the transaction
changes beyond them, with what requires it. A transaction that changes a
package the policy rejects, excludes or pins elsewhere, or removes one, blocks
the host (policy attributes dependencies and removals). Offline plans use the
resolution the snapshots recorded (tend scan), or say it is missing.

The plan is a pure function of configuration, inventory and time: --at shows
the plan as it would be at another moment, e.g. inside next weekend's window.

Warnings (also in --json and --markdown) name groups and policies that select
no host and hosts no policy targets (they are listed as ungoverned), and
snapshots scanned longer than --stale-after before the plan. --hosts narrows
the plan to some hosts. The header says when the configuration's files
differ from their commit.

Inventory sources:
  --inventory live      the default: scan every host now through its providers
                        (needs tend init); the snapshots are kept in
                        .tend/inventory for tend apply's freshness check
  --inventory DIR       snapshots DIR/<host>/inventory.json (tend scan writes them)
  --inventory git:REF   hosts/<host>/inventory.json at a Git revision, e.g.
                        git:origin/tend/reports (the daemon's reports branch)

Approval delays (after) of updates without a release date count from when
each was first seen: plans from live scans or .tend/inventory keep those
times in .tend/state/first_seen.json, and every plan also reads the ones
tend serve recorded on the reports branch in this repository, if any.

--base REF also plans the configuration as it is at the Git revision REF
(e.g. origin/main), from the same inventory and time, and shows what this
configuration changes, update by update: actions added or removed, updates
now deferred, skipped or released. That is the pull-request preview:
  tend plan --inventory git:origin/tend/reports --base origin/main --markdown

Exit status: 0 success, 1 error; with --detailed-exitcode, 2 when the plan
has actions, and 1 when a host has errors in its plan (no inventory, a pin
its sources do not offer), whatever else it has.`,
		Example: `  tend plan -C examples/msp-fleet --inventory examples/msp-fleet/snapshots
  tend plan --inventory snapshots --at 2026-11-28T22:30:00+01:00
  tend plan --inventory git:origin/tend/reports --markdown > plan.md
  tend plan --inventory git:origin/tend/reports --base origin/main --markdown
  tend plan --inventory snapshots --json -out plan.tendplan --detailed-exitcode`,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return f.Validate() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPlan(g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.inventory, "inventory", "live", "where host inventories come from: live, DIR or git:REF")
	f.at.register(cmd, "plan")
	fl.StringVar(&f.out, "out", "", "also save the plan to this file, for tend show and tend apply (-out FILE works too)")
	fl.BoolVar(&f.detailed, "detailed-exitcode", false, "exit 2 when the plan has actions, 0 when it has none, 1 when a host has errors in its plan")
	fl.StringVar(&f.base, "base", "", "also compare with the plan of the configuration at this Git revision, e.g. origin/main (text and Markdown views)")
	f.view.register(cmd)
	f.hosts.register(cmd, "plan")
	f.stale.register(cmd)
	return cmd
}

func runPlan(g *globals, f *planFlags) error {
	// Without --base, which plans the inventory again, nothing needs the
	// installed lists after planning: a directory inventory streams.
	res, err := makePlanWith(g, engine.PlanOptions{Inventory: f.inventory, Now: f.at.now(), Lean: f.base == "", Hosts: f.hosts.patterns, StaleAfter: f.stale.after}, "planned")
	if err != nil {
		return err
	}
	x := viewExtras{clients: res.Config.HostLabels("client")}
	if f.base != "" {
		base, err := engine.PlanBase(res, g.dir, f.base)
		if errors.Is(err, engine.ErrBaseConfig) {
			if werr := diagnostics.Write(g.stderr, base.Diagnostics, base.Sources); werr != nil {
				return werr
			}
			return fmt.Errorf("the configuration at %s has errors, so there is nothing to compare with", f.base)
		}
		if err != nil {
			return fmt.Errorf("--base %s: %w", f.base, err)
		}
		x.base = plandiff.Diff(base.Plan, res.Saved.Plan)
		x.baseLabel = f.base + " (" + commitid.Abbrev(base.Commit) + ")"
	}
	if f.out != "" {
		if err := savedplan.Write(f.out, res.Saved); err != nil {
			return err
		}
	}
	if err := f.view.render(g, res.Saved, x); err != nil {
		return err
	}
	if f.out != "" && f.view.human() {
		fmt.Fprintf(g.stdout, "\nSaved the plan to %s: tend show %s\n", f.out, f.out)
	}
	switch pl := res.Saved.Plan; {
	case f.detailed && pl.HostsWithErrors() > 0:
		// A host that cannot be planned is an error, not "no changes" or
		// "changes": a CI gate must not pass it.
		return exitError{1}
	case f.detailed && pl.HasChanges():
		return exitError{2}
	}
	return nil
}

// makePlan plans as of now from the given inventory source (makePlanWith
// with only those options).
func makePlan(g *globals, inventory string, now time.Time, verb string, keepProviders bool) (*engine.PlanResult, error) {
	return makePlanWith(g, engine.PlanOptions{Inventory: inventory, Now: now, KeepProviders: keepProviders}, verb)
}

// makePlanWith plans with o, printing the configuration's diagnostics;
// the configuration directory, version, log and scan progress are the
// run's. On configuration errors it says what was not done (verb:
// "planned", "reported") and exits 1.
func makePlanWith(g *globals, o engine.PlanOptions, verb string) (*engine.PlanResult, error) {
	o.ConfigDir, o.TendVersion, o.Log, o.ScanProgress = g.dir, version, g.log, scanProgress(g, 0)
	res, err := engine.Plan(g.ctx, o)
	if res != nil {
		var sources map[string][]byte
		if res.Config != nil {
			sources = res.Config.Sources
		}
		if werr := diagnostics.Write(g.stderr, res.Diagnostics, sources); werr != nil {
			return nil, werr
		}
	}
	if errors.Is(err, engine.ErrConfig) {
		fmt.Fprintf(g.stderr, "Nothing was %s: fix the configuration errors above.\n", verb)
		return nil, exitError{1}
	}
	return res, err
}
