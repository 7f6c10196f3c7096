package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/tend-sh/tend/core/transport"
	"github.com/tend-sh/tend/plugins/sdk"
)

// Run implements sdk.Runner: it runs c on the host in a new session. A
// command that prints more than transport.MaxStdout or transport.MaxStderr
// has its session ended and fails with a *transport.OutputLimitError.
func (c *Client) Run(ctx context.Context, cmd sdk.Cmd) (sdk.Result, error) {
	line, err := shellCommandLine(c.shell, cmd.Argv, cmd.Env, c.sudo)
	if err != nil {
		return sdk.Result{}, fmt.Errorf("ssh %s: %w", c.target, err)
	}
	if cmd.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cmd.Timeout)
		defer cancel()
	}
	s, err := c.session(ctx)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		return sdk.Result{}, err
	}
	defer s.Close()
	// Passing an output limit ends the session, through runCtx. The
	// captures are locked: a cancelled Run returns without waiting for the
	// session's copy goroutines, which may still be writing.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	out := transport.NewOutput(stop)
	s.Stdout, s.Stderr = out.Stdout, out.Stderr
	if cmd.Stdin != nil {
		s.Stdin = bytes.NewReader(cmd.Stdin)
	}
	if err := s.Start(line); err != nil {
		return sdk.Result{}, fmt.Errorf("ssh %s: %s: %w", c.target, cmd.Argv[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()

	ended := false // by ctx or the output limit, before the command ended
	select {
	case err = <-done:
	case <-runCtx.Done():
		ended = true
	}
	if limitErr := out.Err(c.target, cmd.Argv); limitErr != nil || ended {
		// sshd honours the signal only for sessions it runs with privilege
		// separation (not for root logins); closing the channel is the rest
		// we can do: the command's output pipes close, and a command still
		// writing gets SIGPIPE. The server may keep the channel open until
		// the command ends, so do not wait for it.
		_ = s.Signal(ssh.SIGKILL)
		_ = s.Close()
		res := sdk.Result{Stdout: out.Stdout.Bytes(), Stderr: out.Stderr.Bytes(), ExitCode: -1}
		if limitErr != nil {
			return res, limitErr
		}
		return res, fmt.Errorf("ssh %s: %s: %w", c.target, cmd.Argv[0], ctx.Err())
	}

	res := sdk.Result{Stdout: out.Stdout.Bytes(), Stderr: out.Stderr.Bytes()}
	var exit *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case errors.As(err, &exit):
		res.ExitCode = exit.ExitStatus()
	case errors.As(err, &missing):
		return res, fmt.Errorf("ssh %s: %s: connection lost before the command reported an exit status", c.target, cmd.Argv[0])
	case err != nil:
		return res, fmt.Errorf("ssh %s: %s: %w", c.target, cmd.Argv[0], err)
	}
	if c.sudo && res.ExitCode == 1 && strings.Contains(string(res.Stderr), "sudo: a password is required") {
		return res, fmt.Errorf("ssh %s: sudo needs a password for %s; tend runs sudo non-interactively (sudo -n), so allow the command with NOPASSWD in sudoers", c.target, cmd.Argv[0])
	}
	return res, nil
}
