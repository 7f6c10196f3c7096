package ssh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Run implements sdk.Runner: it runs c on the host in a new session.
func (c *Client) Run(ctx context.Context, cmd sdk.Cmd) (sdk.Result, error) {
	line, err := commandLine(cmd.Argv, cmd.Env, c.sudo)
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
	// Locked buffers: a cancelled Run returns without waiting for the
	// session's copy goroutines, which may still be writing.
	var stdout, stderr lockedBuffer
	s.Stdout, s.Stderr = &stdout, &stderr
	if cmd.Stdin != nil {
		s.Stdin = bytes.NewReader(cmd.Stdin)
	}
	if err := s.Start(line); err != nil {
		return sdk.Result{}, fmt.Errorf("ssh %s: %s: %w", c.target, cmd.Argv[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()

	select {
	case err = <-done:
	case <-ctx.Done():
		// sshd honours the signal only for sessions it runs with privilege
		// separation (not for root logins); closing the channel is the rest
		// we can do. The server may keep the channel open until the
		// command ends, so do not wait for it.
		_ = s.Signal(ssh.SIGKILL)
		_ = s.Close()
		res := sdk.Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), ExitCode: -1}
		return res, fmt.Errorf("ssh %s: %s: %w", c.target, cmd.Argv[0], ctx.Err())
	}

	res := sdk.Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
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

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Bytes returns a copy of what was written so far.
func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
