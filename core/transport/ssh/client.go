package ssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Options says how to reach one host.
type Options struct {
	Address        string        // host or host:port; port default 22 (Port overrides)
	Port           int           // overrides a port in Address
	User           string        // default: the current user
	IdentityFile   string        // private key path ("~/" expanded); if empty, the SSH_AUTH_SOCK agent
	KnownHostsFile string        // default ~/.ssh/known_hosts; host keys are always verified
	Sudo           bool          // run argv through `sudo -n --`
	ConnectTimeout time.Duration // default 15s
	// KeepAlive is how often an idle-looking connection is probed
	// (OpenSSH's ServerAliveInterval; default 30s); after KeepAliveMax
	// probes without an answer (default 3) the connection is closed, so
	// a host that vanished mid-command fails it instead of hanging.
	KeepAlive    time.Duration
	KeepAliveMax int
	// Shell is the remote's default shell, which parses the command
	// string: ShellPOSIX (the default), or ShellCmd or ShellPowerShell
	// for OpenSSH on Windows. Sudo needs ShellPOSIX.
	Shell Shell
}

// Client is an sdk.Runner for one host. It keeps one connection, opens a
// session on it for every Run (Run is safe for concurrent use) and dials
// again when the connection has dropped.
type Client struct {
	host, user     string
	port           int
	target         string // user@host:port, for errors
	auth           []ssh.AuthMethod
	knownHosts     string
	identity       string // where the keys come from, for errors
	sudo           bool
	shell          Shell
	connectTimeout time.Duration
	keepAlive      time.Duration
	keepAliveMax   int

	// dial opens the TCP connection; tests replace it to count dials.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)

	mu     sync.Mutex
	conn   *ssh.Client
	ended  chan struct{} // closed when conn ends
	closed bool
}

// New checks o and reads the identity file. It does not dial.
func New(o Options) (*Client, error) {
	host, port, err := splitAddress(o.Address, o.Port)
	if err != nil {
		return nil, fmt.Errorf("ssh: %w", err)
	}
	shell, err := ParseShell(string(o.Shell))
	if err != nil {
		return nil, fmt.Errorf("ssh %s: %w", o.Address, err)
	}
	if o.Sudo && shell != ShellPOSIX {
		return nil, fmt.Errorf("ssh %s: sudo needs a posix shell, not %s", o.Address, shell)
	}
	c := &Client{host: host, port: port, user: o.User, sudo: o.Sudo, shell: shell, connectTimeout: o.ConnectTimeout,
		keepAlive: o.KeepAlive, keepAliveMax: o.KeepAliveMax}
	if c.keepAlive <= 0 {
		c.keepAlive = 30 * time.Second
	}
	if c.keepAliveMax <= 0 {
		c.keepAliveMax = 3
	}
	if c.user == "" {
		if u, err := user.Current(); err == nil {
			c.user = u.Username
		} else if c.user = os.Getenv("USER"); c.user == "" {
			return nil, fmt.Errorf("ssh %s: no user given and the current user is unknown: %w", o.Address, err)
		}
	}
	c.target = c.user + "@" + net.JoinHostPort(host, strconv.Itoa(port))
	if c.connectTimeout <= 0 {
		c.connectTimeout = 15 * time.Second
	}
	if c.knownHosts, err = expandHome(o.KnownHostsFile, "~/.ssh/known_hosts"); err != nil {
		return nil, fmt.Errorf("ssh %s: known hosts file: %w", c.target, err)
	}
	c.identity = "the keys of the ssh agent (SSH_AUTH_SOCK)"
	if o.IdentityFile != "" {
		c.identity = "the key in " + o.IdentityFile
	}
	if c.auth, err = authMethods(o.IdentityFile); err != nil {
		return nil, fmt.Errorf("ssh %s: %w", c.target, err)
	}
	c.dial = (&net.Dialer{Timeout: c.connectTimeout}).DialContext
	return c, nil
}

// Close closes the connection. Runs after Close fail.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn = nil
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("ssh %s: close: %w", c.target, err)
	}
	return nil
}

// session opens a session on the shared connection, dialling first if
// there is none, and once more if the connection turns out to be dead.
func (c *Client) session(ctx context.Context) (*ssh.Session, error) {
	for attempt := 0; ; attempt++ {
		conn, ended, err := c.connect(ctx)
		if err != nil {
			return nil, err
		}
		s, err := newSession(ctx, conn, ended)
		if err == nil {
			return s, nil
		}
		if ctx.Err() != nil { // given up on; the connection may be fine
			return nil, fmt.Errorf("ssh %s: open session: %w", c.target, err)
		}
		var rejected *ssh.OpenChannelError
		if errors.As(err, &rejected) { // the server said no; the connection is fine
			return nil, fmt.Errorf("ssh %s: open session: %w", c.target, err)
		}
		c.forget(conn)
		if attempt > 0 {
			return nil, fmt.Errorf("ssh %s: open session: %w", c.target, err)
		}
	}
}

// errConnectionEnded is newSession's error when the connection ended while
// the session was being opened.
var errConnectionEnded = errors.New("connection ended while opening a session")

// newSession opens a session on conn, giving up when ctx ends or conn ends:
// x/crypto/ssh's NewSession can wait forever when the connection closes
// under it (the channel is registered after the connection dropped its
// channels), and a dead connection must fail the session, not hang it.
// A NewSession that returns later has its session closed.
func newSession(ctx context.Context, conn *ssh.Client, ended <-chan struct{}) (*ssh.Session, error) {
	type opened struct {
		s   *ssh.Session
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		s, err := conn.NewSession()
		ch <- opened{s, err}
	}()
	abandon := func() {
		go func() {
			if o := <-ch; o.s != nil {
				_ = o.s.Close()
			}
		}()
	}
	select {
	case o := <-ch:
		return o.s, o.err
	case <-ended:
		abandon()
		return nil, errConnectionEnded
	case <-ctx.Done():
		abandon()
		return nil, ctx.Err()
	}
}

// connect returns the live connection and a channel closed when it ends,
// dialling if there is none.
func (c *Client) connect(ctx context.Context) (*ssh.Client, <-chan struct{}, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, nil, fmt.Errorf("ssh %s: client is closed", c.target)
	}
	if c.conn != nil {
		return c.conn, c.ended, nil
	}
	conn, err := c.dialSSH(ctx)
	if err != nil {
		return nil, nil, err
	}
	ended := make(chan struct{})
	c.conn, c.ended = conn, ended
	go func() {
		_ = conn.Wait() // returns when the connection ends, for whatever reason
		close(ended)
		c.forget(conn)
	}()
	go c.keepalive(conn, ended)
	return conn, ended, nil
}

// keepalive probes conn every keepAlive with OpenSSH's keepalive request
// (any answer, even "unsupported", proves the peer alive) and closes it
// after keepAliveMax probes in a row went unanswered: sessions on it then
// fail at once instead of waiting for TCP to give up, which can take hours.
func (c *Client) keepalive(conn *ssh.Client, ended <-chan struct{}) {
	tick := time.NewTicker(c.keepAlive)
	defer tick.Stop()
	answers := make(chan struct{}, 1)
	pending, missed := false, 0
	for {
		select {
		case <-ended:
			return
		case <-answers:
			pending, missed = false, 0
		case <-tick.C:
			if pending {
				if missed++; missed >= c.keepAliveMax {
					c.forget(conn)
					return
				}
				continue
			}
			pending = true
			go func() {
				if _, _, err := conn.SendRequest("keepalive@openssh.com", true, nil); err == nil {
					answers <- struct{}{}
				}
			}()
		}
	}
}

// forget drops conn if it is still the current connection.
func (c *Client) forget(conn *ssh.Client) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == conn {
		c.conn = nil
		_ = conn.Close()
	}
}

func (c *Client) dialSSH(ctx context.Context) (*ssh.Client, error) {
	hostKey, algos, err := HostKeyCallback(c.knownHosts, c.host, c.port)
	if err != nil {
		return nil, fmt.Errorf("ssh %s: %w", c.target, err)
	}
	auth := c.auth
	if auth == nil { // agent: connect for this handshake only
		a, err := net.Dial("unix", os.Getenv("SSH_AUTH_SOCK"))
		if err != nil {
			return nil, fmt.Errorf("ssh %s: ssh agent (SSH_AUTH_SOCK): %w", c.target, err)
		}
		defer a.Close()
		auth = []ssh.AuthMethod{ssh.PublicKeysCallback(agent.NewClient(a).Signers)}
	}
	cfg := &ssh.ClientConfig{
		User:              c.user,
		Auth:              auth,
		HostKeyCallback:   hostKey,
		HostKeyAlgorithms: algos,
		Timeout:           c.connectTimeout,
	}
	addr := net.JoinHostPort(c.host, strconv.Itoa(c.port))
	ctx, cancel := context.WithTimeout(ctx, c.connectTimeout)
	defer cancel()
	tcp, err := c.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ssh %s: %w", c.target, err)
	}
	// The handshake has no context: bound it by the deadline, and close
	// the socket if ctx ends first.
	if d, ok := ctx.Deadline(); ok {
		_ = tcp.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { _ = tcp.Close() })
	sc, chans, reqs, err := ssh.NewClientConn(tcp, addr, cfg)
	if !stop() || err != nil {
		_ = tcp.Close()
		if err == nil {
			err = ctx.Err()
		} else if ctx.Err() == nil && deadlinePassed(ctx) {
			// The socket's deadline fired before the context's own timer
			// did: the same deadline ran out, so say so.
			err = fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
		} else if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		} else if strings.Contains(err.Error(), "unable to authenticate") {
			err = fmt.Errorf("%w (is the public half of %s in %s's authorized_keys?)", err, c.identity, c.user)
		}
		return nil, fmt.Errorf("ssh %s: %w", c.target, err)
	}
	_ = tcp.SetDeadline(time.Time{})
	return ssh.NewClient(sc, chans, reqs), nil
}

// deadlinePassed reports whether ctx has a deadline and it is not in the
// future.
func deadlinePassed(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// authMethods reads the identity file, or returns nil to mean "use the
// agent" when there is none and SSH_AUTH_SOCK is set.
func authMethods(identityFile string) ([]ssh.AuthMethod, error) {
	if identityFile == "" {
		if os.Getenv("SSH_AUTH_SOCK") == "" {
			return nil, errors.New("no identity_file given and no ssh agent (SSH_AUTH_SOCK is not set)")
		}
		return nil, nil
	}
	path, err := expandHome(identityFile, "")
	if err != nil {
		return nil, fmt.Errorf("identity file: %w", err)
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("identity file: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		return nil, fmt.Errorf("identity file %s is passphrase-protected: load it into an ssh agent and leave identity_file empty", path)
	}
	if err != nil {
		return nil, fmt.Errorf("identity file %s: %w", path, err)
	}
	return []ssh.AuthMethod{ssh.PublicKeys(signer)}, nil
}

// splitAddress parses "host", "host:port", "[v6]:port" or a bare IPv6
// address; port, when non-zero, overrides the one in addr.
func splitAddress(addr string, port int) (string, int, error) {
	if addr == "" {
		return "", 0, errors.New("no address given")
	}
	host, p := addr, 22
	if h, ps, err := net.SplitHostPort(addr); err == nil {
		n, err := strconv.Atoi(ps)
		if err != nil || n < 1 || n > 65535 {
			return "", 0, fmt.Errorf("address %q: invalid port %q", addr, ps)
		}
		host, p = h, n
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	}
	if host == "" {
		return "", 0, fmt.Errorf("address %q: no host", addr)
	}
	if port != 0 {
		if port < 1 || port > 65535 {
			return "", 0, fmt.Errorf("invalid port %d", port)
		}
		p = port
	}
	return host, p, nil
}

// expandHome expands a leading "~/" in path, or def when path is empty.
func expandHome(path, def string) (string, error) {
	if path == "" {
		path = def
	}
	if !strings.HasPrefix(path, "~/") {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, path[2:]), nil
}
