package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/plugins/sdk"
)

// MaxHookOutput bounds what a hook's result keeps of each of its stdout
// and stderr: the last MaxHookOutput bytes.
const MaxHookOutput = 4 << 10

// HookResult is one hook run on a host.
type HookResult struct {
	Phase string
	// Index is the hook's position among the policy's hooks of its phase.
	Index                 int
	Argv                  []string
	StartedAt, FinishedAt time.Time
	// ExitCode is -1 when the command could not be run or did not finish.
	ExitCode int
	// Stdout and Stderr are the ends of what it printed, at most
	// MaxHookOutput bytes each.
	Stdout, Stderr string
	// Err is why the hook failed (a non-zero exit, a timeout, a lost
	// connection); nil when it exited 0.
	Err error
}

// HookError is a failed hook. A failed pre hook leaves the host
// untouched; a failed pre_reboot hook leaves it without its reboot; a
// failed post hook fails the host after its changes. Each counts toward
// the rollout's max_failures.
type HookError struct {
	Hook   *config.Hook
	Result HookResult
}

func (e *HookError) Error() string {
	r := e.Hook.DeclRange
	return fmt.Sprintf("%s hook[%d] %s (%s:%d:%d) failed: %v", e.Hook.Phase, e.Hook.Index, sdk.Cmd{Argv: e.Hook.Argv}.String(),
		r.Filename, r.Start.Line, r.Start.Column, e.Result.Err)
}

func (e *HookError) Unwrap() error { return e.Result.Err }

// runHooks runs hooks in order on the host through runner until one fails,
// and returns every run and the failure (nil when each exited 0).
func runHooks(ctx context.Context, hooks []*config.Hook, runner sdk.Runner, progress func(sdk.Progress)) ([]HookResult, *HookError) {
	var out []HookResult
	for _, h := range hooks {
		progress(sdk.Progress{Message: fmt.Sprintf("running %s hook[%d]: %s", h.Phase, h.Index, strings.Join(h.Argv, " "))})
		r := runHook(ctx, h, runner)
		out = append(out, r)
		if r.Err != nil {
			return out, &HookError{Hook: h, Result: r}
		}
	}
	return out, nil
}

// runHook runs one hook, within its timeout.
func runHook(ctx context.Context, h *config.Hook, runner sdk.Runner) HookResult {
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = config.DefaultHookTimeout
	}
	r := HookResult{Phase: h.Phase, Index: h.Index, Argv: h.Argv, StartedAt: time.Now().UTC(), ExitCode: -1}
	cmd := sdk.Cmd{Argv: h.Argv, Timeout: timeout}
	res, err := runner.Run(ctx, cmd)
	r.FinishedAt = time.Now().UTC()
	r.Stdout, r.Stderr = tail(res.Stdout), tail(res.Stderr)
	switch {
	case err != nil:
		r.Err = err
	case res.ExitCode != 0:
		r.ExitCode = res.ExitCode
		r.Err = &sdk.ExitError{Cmd: cmd, Result: res}
	default:
		r.ExitCode = 0
	}
	return r
}

// tail returns the last MaxHookOutput bytes of b, marked when cut.
func tail(b []byte) string {
	if len(b) <= MaxHookOutput {
		return string(b)
	}
	return "…" + string(b[len(b)-MaxHookOutput:])
}

// IsHookFailure reports whether err is, or wraps, a failed hook.
func IsHookFailure(err error) bool {
	var he *HookError
	return errors.As(err, &he)
}
