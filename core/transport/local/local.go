// Package local runs provider commands on the machine tend itself runs on.
package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Runner executes commands with os/exec, never through a shell.
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
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Env = append(os.Environ(), c.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	err := cmd.Run()
	res := sdk.Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return res, fmt.Errorf("local: %s: %w", c.Argv[0], ctx.Err())
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
		return res, nil
	case err != nil:
		return res, fmt.Errorf("local: %w", err)
	}
	return res, nil
}
