package gitsource

import (
	"fmt"
	"net"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// agentKeys asks the ssh-agent at sock for its keys. The connection is made
// on first use, not by Open, and made again when the agent stops answering
// (it was restarted), so a long-running daemon survives agent restarts.
type agentKeys struct {
	sock string

	mu   sync.Mutex
	conn net.Conn
}

func (a *agentKeys) signers() ([]ssh.Signer, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.conn != nil {
		if s, err := agent.NewClient(a.conn).Signers(); err == nil {
			return s, nil
		}
		a.conn.Close()
		a.conn = nil
	}
	conn, err := net.Dial("unix", a.sock)
	if err != nil {
		return nil, fmt.Errorf("ssh-agent at SSH_AUTH_SOCK=%s: %w", a.sock, err)
	}
	s, err := agent.NewClient(conn).Signers()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("ssh-agent at SSH_AUTH_SOCK=%s: %w", a.sock, err)
	}
	if len(s) == 0 {
		conn.Close()
		return nil, fmt.Errorf("ssh-agent at SSH_AUTH_SOCK=%s holds no keys: add one with ssh-add", a.sock)
	}
	a.conn = conn
	return s, nil
}
