package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/tend-sh/tend/core/transport"
	"github.com/tend-sh/tend/plugins/sdk"
)

// pipeGrace is how long Run waits, once the command has exited or been
// killed, for its output pipes to reach EOF before it closes them: a
// child the command left behind may hold them open.
const pipeGrace = 5 * time.Second

// Runner executes commands with os/exec, never through a shell. A command
// that prints more than transport.MaxStdout or transport.MaxStderr is
// killed and fails with a *transport.OutputLimitError. On Linux a command
// is killed when tend dies (see sysProcAttr).
type Runner struct{}

// Run implements sdk.Runner.
func (Runner) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return sdk.Result{}, errors.New("local: empty command")
	}
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	// Passing an output limit kills the command, through its context.
	cmdCtx, kill := context.WithCancel(ctx)
	defer kill()
	out := transport.NewOutput(kill)
	cmd := exec.CommandContext(cmdCtx, c.Argv[0], c.Argv[1:]...)
	cmd.Env = append(os.Environ(), c.Env...)
	cmd.Stdout, cmd.Stderr = out.Stdout, out.Stderr
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = pipeGrace
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	err := cmd.Run()
	res := sdk.Result{Stdout: out.Stdout.Bytes(), Stderr: out.Stderr.Bytes()}
	if limitErr := out.Err("local", c.Argv); limitErr != nil {
		res.ExitCode = -1
		return res, limitErr
	}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return res, fmt.Errorf("local: %s: %w", c.Argv[0], ctx.Err())
	case errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil:
		// The command exited; something it started still held its output.
		res.ExitCode = cmd.ProcessState.ExitCode()
		return res, nil
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
		return res, nil
	case err != nil:
		return res, fmt.Errorf("local: %w", err)
	}
	return res, nil
}
