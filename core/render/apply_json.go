package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/model"
)

// ApplyFormatVersion is the format_version of tend apply --json.
const ApplyFormatVersion = "1"

// applyDocument is tend apply --json (docs/cli.md): the plan applied, in the
// plan JSON contract, and what the apply did.
type applyDocument struct {
	FormatVersion string      `json:"format_version"`
	Plan          *model.Plan `json:"plan"`
	Apply         applyResult `json:"apply"`
}

// applyResult is an apply.Report with a closing count.
type applyResult struct {
	// StartedAt and FinishedAt are null when nothing was applied.
	StartedAt  *time.Time   `json:"started_at"`
	FinishedAt *time.Time   `json:"finished_at"`
	Hosts      []applyHost  `json:"hosts"`
	Halted     []string     `json:"halted"`
	Summary    applySummary `json:"summary"`
}

// applyHost is one host and provider's apply.HostResult.
type applyHost struct {
	Host       string               `json:"host"`
	Provider   string               `json:"provider"`
	Policy     string               `json:"policy"`
	StartedAt  time.Time            `json:"started_at"`
	FinishedAt time.Time            `json:"finished_at"`
	Failed     bool                 `json:"failed"`
	Results    []model.ActionResult `json:"results"`
	// Error is the host's failure as a whole, "" when there was none.
	Error string `json:"error"`
	// HealthCheck is the failed health check after the actions, "" when
	// the host is healthy or has none.
	HealthCheck string `json:"health_check"`
	// Rollback is what the policy's rollback did after the failed health
	// check; null when there was none.
	Rollback *applyRollback `json:"rollback"`
	// Hooks are the policy's hooks that ran, in order; omitted when none did.
	Hooks []applyHook `json:"hooks,omitempty"`
}

// applyHook is one hook run (apply.HookResult); error is "" when it
// exited 0.
type applyHook struct {
	Phase    string   `json:"phase"`
	Index    int      `json:"index"`
	Argv     []string `json:"argv"`
	ExitCode int      `json:"exit_code"`
	Stdout   string   `json:"stdout"`
	Stderr   string   `json:"stderr"`
	Error    string   `json:"error"`
}

// applyRollback is an apply.Rollback: where each changed package is.
type applyRollback struct {
	Summary  string            `json:"summary"`
	Packages []rolledBackEntry `json:"packages"`
	// Error is the rollback's failure as a whole, "" when none.
	Error string `json:"error"`
	// HealthCheck is the health check failing again after the rollback,
	// "" when the host is healthy again (or nothing was rolled back).
	HealthCheck string `json:"health_check"`
}

// rolledBackEntry is one changed package: the version the apply installed
// (applied) and the one before it (restored, "" for a new install);
// rolled_back says which of the two the host has now.
type rolledBackEntry struct {
	ActionID   string `json:"action_id"`
	Package    string `json:"package"`
	Applied    string `json:"applied"`
	Restored   string `json:"restored"`
	RolledBack bool   `json:"rolled_back"`
	Message    string `json:"message"`
}

// applySummary counts results by status, and hosts.
type applySummary struct {
	Succeeded   int `json:"succeeded"`
	Failed      int `json:"failed"`
	Interrupted int `json:"interrupted"`
	Skipped     int `json:"skipped"`
	RolledBack  int `json:"rolled_back"`
	Hosts       int `json:"hosts"`
	HostsFailed int `json:"hosts_failed"`
}

// ApplyJSON writes tend apply --json: the plan applied in the plan JSON
// contract (as JSON writes it) and the apply's results per host and action,
// formatted like JSON. rep may be nil when the plan had nothing to apply.
func ApplyJSON(w io.Writer, plan *model.Plan, rep *apply.Report) error {
	if plan == nil {
		return errNilPlan
	}
	doc := applyDocument{FormatVersion: ApplyFormatVersion, Plan: normalize(plan), Apply: applyResultOf(rep)}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("render: encoding apply JSON: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// applyResultOf converts the report, with every list non-nil.
func applyResultOf(rep *apply.Report) applyResult {
	out := applyResult{Hosts: []applyHost{}, Halted: []string{}}
	if rep == nil {
		return out
	}
	if !rep.StartedAt.IsZero() {
		started, finished := seconds(rep.StartedAt), seconds(rep.FinishedAt)
		out.StartedAt, out.FinishedAt = &started, &finished
	}
	out.Halted = append(out.Halted, rep.Halted...)
	for i := range rep.Hosts {
		h := &rep.Hosts[i]
		out.Hosts = append(out.Hosts, applyHostOf(h))
		for _, r := range h.Results {
			out.Summary.count(r.Status)
		}
	}
	out.Summary.Hosts, out.Summary.HostsFailed = len(rep.Hosts), rep.Failed()
	return out
}

func applyHostOf(h *apply.HostResult) applyHost {
	out := applyHost{Host: h.Host, Provider: h.Provider, Policy: h.Policy, StartedAt: seconds(h.StartedAt), FinishedAt: seconds(h.FinishedAt),
		Failed: h.Failed(), Results: append([]model.ActionResult{}, h.Results...)}
	if h.Err != nil {
		out.Error = h.Err.Error()
	}
	if h.Health != nil {
		out.HealthCheck = h.Health.Error()
	}
	if h.Rollback != nil {
		out.Rollback = applyRollbackOf(h.Rollback)
	}
	for _, hr := range h.Hooks {
		x := applyHook{Phase: hr.Phase, Index: hr.Index, Argv: hr.Argv, ExitCode: hr.ExitCode, Stdout: hr.Stdout, Stderr: hr.Stderr}
		if hr.Err != nil {
			x.Error = hr.Err.Error()
		}
		out.Hooks = append(out.Hooks, x)
	}
	return out
}

func applyRollbackOf(rb *apply.Rollback) *applyRollback {
	out := &applyRollback{Summary: rb.Summary(), Packages: []rolledBackEntry{}}
	for _, p := range rb.Packages {
		out.Packages = append(out.Packages, rolledBackEntry(p))
	}
	if rb.Err != nil {
		out.Error = rb.Err.Error()
	}
	if rb.Health != nil {
		out.HealthCheck = rb.Health.Error()
	}
	return out
}

func (s *applySummary) count(status model.Status) {
	switch status {
	case model.StatusSucceeded:
		s.Succeeded++
	case model.StatusFailed:
		s.Failed++
	case model.StatusInterrupted:
		s.Interrupted++
	case model.StatusSkipped:
		s.Skipped++
	case model.StatusRolledBack:
		s.RolledBack++
	}
}
