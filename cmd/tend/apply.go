package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/model"
	"golang.org/x/term"
)

type applyFlags struct {
	autoApprove bool
	inventory   string
	view        viewFlags
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

Exit status 1 if any action failed.`,
		Example: `  tend plan -out patch.tendplan && tend apply patch.tendplan
  tend apply --auto-approve`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApply(g, f, args)
		},
	}
	cmd.Flags().BoolVar(&f.autoApprove, "auto-approve", false, "apply without asking (no plan file)")
	cmd.Flags().StringVar(&f.inventory, "inventory", "live", "with no plan file: where inventories come from (live, DIR, git:REF)")
	return cmd
}

func runApply(g *globals, f *applyFlags, args []string) error {
	var (
		cfg  *config.Config
		plan *model.Plan
		ps   *engine.Providers
	)
	if len(args) == 1 {
		var err error
		if cfg, err = loadConfig(g); err != nil {
			return err
		}
		sp, err := engine.ReadSaved(args[0])
		if err != nil {
			return err
		}
		if err := engine.CheckStale(sp, cfg); err != nil {
			return err
		}
		plan = sp.Plan
	} else {
		res, err := makePlan(g, f.inventory, "", "applied", true)
		if err != nil {
			return err
		}
		// The providers that scanned also apply: started once per run.
		if res.Providers != nil {
			ps = res.Providers
			defer ps.Close()
		}
		if err := f.view.render(g, res.Saved, viewExtras{}); err != nil {
			return err
		}
		// Apply with the configuration the plan was made from.
		cfg, plan = res.Config, res.Saved.Plan
		if !plan.HasChanges() {
			return nil
		}
		if !f.autoApprove {
			if err := confirm(g); err != nil {
				return err
			}
		}
	}
	if !plan.HasChanges() {
		fmt.Fprintln(g.stdout, "The plan has no actions; nothing to apply.")
		return nil
	}
	if ps == nil {
		var err error
		if ps, err = engine.OpenProviders(cfg, g.log); err != nil {
			return err
		}
		defer ps.Close()
	}
	withActions := 0
	for _, h := range plan.Hosts {
		if len(h.Actions) > 0 {
			withActions++
		}
	}
	rep := engine.Apply(g.ctx, cfg, ps, plan, engine.ApplyOptions{Progress: applyProgress(g, withActions)})
	if plan.Inventory.Source == "live" {
		rescan(g, cfg, ps, rep)
	}
	printApplyReport(g, plan, rep)
	if g.ctx.Err() != nil {
		fmt.Fprintln(g.stderr, "Interrupted: hosts not started were skipped; see the results above.")
	}
	if rep.Failed() > 0 || g.ctx.Err() != nil {
		return exitError{1}
	}
	return nil
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
func rescan(g *globals, cfg *config.Config, ps *engine.Providers, rep *engine.ApplyReport) {
	var hosts []string
	for _, h := range rep.Hosts {
		hosts = append(hosts, h.Host)
	}
	if len(hosts) == 0 {
		return
	}
	out := filepath.Join(cfg.Dir, engine.DefaultInventoryDir)
	if _, err := engine.Scan(g.ctx, cfg, ps, engine.ScanOptions{Hosts: hosts, OutDir: out}); err != nil {
		g.log.Warnf("re-scan after apply: %v", err)
	}
}

// applyProgress prints progress on stderr: on a terminal, one status line
// that is rewritten in place (hosts done of total, the latest event) with
// finished hosts printed above it; otherwise one plain line per event.
func applyProgress(g *globals, total int) func(engine.Event) {
	var mu sync.Mutex
	tty := isTerminal(g.stderr)
	done := 0
	return func(e engine.Event) {
		mu.Lock()
		defer mu.Unlock()
		line := fmt.Sprintf("%s %s: %s", e.Host, e.Provider, e.Message)
		if e.Done != nil {
			done++
			ok, failed := counts(e.Done.Results)
			line = fmt.Sprintf("%s %s: done in %s: %d succeeded, %d failed", e.Host, e.Provider,
				e.Done.FinishedAt.Sub(e.Done.StartedAt).Round(time.Millisecond), ok, failed)
		}
		if !tty {
			fmt.Fprintln(g.stderr, line)
			return
		}
		status := fmt.Sprintf("[%d/%d hosts] %s", done, total, line)
		if w, _, err := term.GetSize(int(g.stderr.(*os.File).Fd())); err == nil && len(status) > w-1 && w > 10 {
			status = status[:w-2] + "…"
		}
		if e.Done != nil {
			fmt.Fprintf(g.stderr, "\r\033[K%s\n", line)
		}
		fmt.Fprintf(g.stderr, "\r\033[K%s", status)
		if done == total {
			fmt.Fprint(g.stderr, "\r\033[K")
		}
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func counts(results []model.ActionResult) (ok, failed int) {
	for _, r := range results {
		switch r.Status {
		case model.StatusSucceeded:
			ok++
		case model.StatusFailed, model.StatusInterrupted:
			failed++
		}
	}
	return ok, failed
}

// printApplyReport prints every action's result, host by host.
func printApplyReport(g *globals, plan *model.Plan, rep *engine.ApplyReport) {
	actions := map[string]model.Action{}
	for _, h := range plan.Hosts {
		for _, a := range h.Actions {
			actions[a.ID] = a
		}
	}
	fmt.Fprintln(g.stdout, "\nApply results:")
	total := map[model.Status]int{}
	for _, h := range rep.Hosts {
		fmt.Fprintf(g.stdout, "\n%s · %s · policy %s\n", h.Host, h.Provider, h.Policy)
		for _, r := range h.Results {
			a := actions[r.ActionID]
			what := strings.TrimSpace(fmt.Sprintf("%s %s %s", a.Type, a.Package, a.To))
			line := fmt.Sprintf("  %-11s %s", r.Status, what)
			if r.Message != "" {
				line += ": " + clip(r.Message)
			}
			fmt.Fprintln(g.stdout, line)
			total[r.Status]++
		}
		if h.Err != nil && !strings.Contains(fmt.Sprint(h.Results), h.Err.Error()) {
			fmt.Fprintf(g.stdout, "  error: %v\n", h.Err)
		}
		if h.Health != nil {
			fmt.Fprintf(g.stdout, "  unhealthy: %v\n", h.Health)
		}
	}
	for _, p := range rep.Halted {
		fmt.Fprintf(g.stdout, "\nRollout of policy %s halted at max_failures.\n", p)
	}
	fmt.Fprintf(g.stdout, "\nApplied: %d succeeded, %d failed, %d interrupted, %d skipped on %d %s (%d failed).\n",
		total[model.StatusSucceeded], total[model.StatusFailed], total[model.StatusInterrupted], total[model.StatusSkipped],
		len(rep.Hosts), plural(len(rep.Hosts), "host", "hosts"), rep.Failed())
}

// clip shortens a long message to its first line and its last lines, where
// apt and dpkg put the error.
func clip(s string) string {
	const tail = 5
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > tail+2 {
		lines = append([]string{lines[0], fmt.Sprintf("… (%d lines)", len(lines)-1-tail)}, lines[len(lines)-tail:]...)
	}
	return strings.Join(lines, "\n              ")
}
