package daemon

import (
	"errors"
	"time"
)

// Reconcile steps, in the order they run, as named in StepError and logs.
const (
	StepFetch   = "fetch"
	StepVerify  = "verify"
	StepLoad    = "load"
	StepGovern  = "govern"
	StepHistory = "history"
	StepScan    = "scan"
	StepRecover = "recover"
	StepPlan    = "plan"
	StepApply   = "apply"
	StepRescan  = "rescan"
	StepReport  = "report"
)

// StepError is a reconcile that could not finish a step.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// ErrNoConfig means no configuration commit has ever loaded, so there is
// nothing to apply.
var ErrNoConfig = errors.New("no configuration has loaded yet")

// A step ends with nil or one of the three errors below; each says what
// the reconcile does next, with a short, stable Reason for logs.

// RetryError is a step that failed for a reason that may pass: the
// repository or the reports branch is out of reach, the providers did not
// start, the reconcile was cancelled, nothing governs yet. The reconcile
// stops there with a *StepError; Run tries again at its next tick or
// webhook, and the last reconcile's reports stand until then.
type RetryError struct {
	Reason string
	Err    error
}

func (e *RetryError) Error() string { return e.Err.Error() }
func (e *RetryError) Unwrap() error { return e.Err }

// StallError is a head commit that must not be applied: its signature is
// not trusted, it does not descend from the configuration in force, or its
// configuration does not load. Trying again does not help, so the reconcile
// goes on under the last good configuration, and status.json, the
// SUMMARY.md banner, /readyz and the metrics say why until a new commit
// arrives. Reason is the head's Status.State (StateInvalid or
// StateUnverified), Err the problem.
type StallError struct {
	Reason string
	Err    error
	// Diagnostics are the configuration's errors, "file:line:col: error: …".
	Diagnostics []string
}

func (e *StallError) Error() string { return e.Err.Error() }
func (e *StallError) Unwrap() error { return e.Err }

// WaitError is a step with nothing to do now, and nothing wrong: no
// action is due (windows closed, soak or approval delays running, rollouts
// halted until a new commit, hosts just recovered) or the daemon is
// draining. The reconcile goes on without it. Until is when the next
// deferred change becomes due, zero when unknown.
type WaitError struct {
	Reason string
	Until  time.Time
}

func (e *WaitError) Error() string {
	if e.Until.IsZero() {
		return "nothing to do now: " + e.Reason
	}
	return "nothing to do now: " + e.Reason + " until " + e.Until.UTC().Format(time.RFC3339)
}
