package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/sdk"
)

// ApplyText writes what tend apply prints after an apply of plan: every
// action's result, host by host (with the host's error and failed health
// check, if any), the rollouts that halted, and a closing count.
func ApplyText(w io.Writer, plan *model.Plan, rep *apply.Report) error {
	if plan == nil {
		return errNilPlan
	}
	actions := plannedActions(plan)
	var b bytes.Buffer
	b.WriteString("\nApply results:\n")
	total := map[model.Status]int{}
	for _, h := range rep.Hosts {
		fmt.Fprintf(&b, "\n%s · %s · policy %s\n", h.Host, h.Provider, h.Policy)
		for _, r := range h.Results {
			a := actions[r.ActionID]
			what := strings.TrimSpace(fmt.Sprintf("%s %s %s", a.Type, a.Package, a.To))
			line := fmt.Sprintf("  %-11s %s", r.Status, what)
			if r.Message != "" {
				line += ": " + clip(r.Message)
			}
			b.WriteString(line + "\n")
			total[r.Status]++
		}
		if h.Err != nil && !strings.Contains(fmt.Sprint(h.Results), h.Err.Error()) {
			fmt.Fprintf(&b, "  error: %v\n", h.Err)
		}
		if h.Hook != nil {
			fmt.Fprintf(&b, "  hook failed: %s\n", clip(h.Hook.Error()))
			if out := strings.TrimSpace(h.Hook.Result.Stdout + h.Hook.Result.Stderr); out != "" {
				fmt.Fprintf(&b, "  hook output: %s\n", clip(out))
			}
		}
		if h.Health != nil {
			fmt.Fprintf(&b, "  unhealthy: %v\n", h.Health)
		}
		if h.Rollback != nil {
			fmt.Fprintf(&b, "  rollback: %s\n", clip(h.Rollback.Summary()))
		}
	}
	for _, p := range rep.Halted {
		fmt.Fprintf(&b, "\nRollout of policy %s halted at max_failures.\n", p)
	}
	rolledBack := ""
	if n := total[model.StatusRolledBack]; n > 0 {
		rolledBack = fmt.Sprintf(", %d rolled back", n)
	}
	fmt.Fprintf(&b, "\nApplied: %d succeeded, %d failed%s, %d interrupted, %d skipped on %d %s (%d failed).\n",
		total[model.StatusSucceeded], total[model.StatusFailed], rolledBack, total[model.StatusInterrupted], total[model.StatusSkipped],
		len(rep.Hosts), words.Plural(len(rep.Hosts), "host", "hosts"), rep.Failed())
	_, err := w.Write(b.Bytes())
	return err
}

// plannedActions indexes the plan's actions by id.
func plannedActions(plan *model.Plan) map[string]model.Action {
	actions := map[string]model.Action{}
	for _, h := range plan.Hosts {
		for _, a := range h.Actions {
			actions[a.ID] = a
		}
	}
	return actions
}

// clip shortens a long message to its first line and its last lines, where
// apt and dpkg put the error, indented under the result it belongs to.
func clip(s string) string {
	const tail = 5
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > tail+2 {
		lines = append([]string{lines[0], fmt.Sprintf("… (%d lines)", len(lines)-1-tail)}, lines[len(lines)-tail:]...)
	}
	return strings.Join(lines, "\n              ")
}

// resultCounts counts the succeeded results and the failed or interrupted
// ones.
func resultCounts(results []sdk.ActionResult) (ok, failed int) {
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
