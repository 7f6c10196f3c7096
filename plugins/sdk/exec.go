package sdk

import (
	"context"
	"fmt"
	"strings"

	"github.com/tend-sh/tend/plugins/internal/protoconv"
)

// Cmd is one command to run on the target host. There is no shell: Argv[0]
// is the program and the rest are its arguments, passed as they are. Env
// holds extra "KEY=value" entries on top of the host's environment;
// Timeout 0 means no timeout beyond the context's. String renders the
// command for logs and errors.
type Cmd = protoconv.Cmd

// Result is what a finished command produced: Stdout, Stderr and
// ExitCode. A command that ran and exited non-zero is a Result with that
// ExitCode, not an error.
type Result = protoconv.Result

// Runner executes commands on the target host on a provider's behalf.
// An error means the command could not be run or did not finish (timeout,
// cancellation, lost connection), not that it exited non-zero.
type Runner interface {
	Run(ctx context.Context, c Cmd) (Result, error)
}

// ExitError describes a command that exited non-zero, with what it said.
type ExitError struct {
	Cmd    Cmd
	Result Result
}

func (e *ExitError) Error() string {
	msg := strings.TrimSpace(string(e.Result.Stderr))
	if msg == "" {
		msg = strings.TrimSpace(string(e.Result.Stdout))
	}
	if len(msg) > 2000 {
		msg = "…" + msg[len(msg)-2000:]
	}
	return fmt.Sprintf("%s: exit status %d: %s", e.Cmd.Argv[0], e.Result.ExitCode, msg)
}

// Check runs c and turns a non-zero exit into an *ExitError.
func Check(ctx context.Context, r Runner, c Cmd) (Result, error) {
	res, err := r.Run(ctx, c)
	if err != nil {
		return res, err
	}
	if res.ExitCode != 0 {
		return res, &ExitError{Cmd: c, Result: res}
	}
	return res, nil
}
