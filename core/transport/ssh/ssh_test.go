package ssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/tend-sh/tend/core/transport/proctest"
	"github.com/tend-sh/tend/core/transport/ssh/sshtest"
	"github.com/tend-sh/tend/plugins/sdk"
)

var _ sdk.Runner = (*Client)(nil)

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name    string
		argv    []string
		env     []string
		sudo    bool
		want    string
		wantErr string
	}{
		{name: "plain", argv: []string{"echo", "hi"}, want: `'echo' 'hi'`},
		{name: "quotes", argv: []string{"printf", "%s\n", "it's", "$HOME;x", ""}, want: `'printf' '%s` + "\n" + `' 'it'"'"'s' '$HOME;x' ''`},
		{name: "env", argv: []string{"env"}, env: []string{"FOO=b'r", "_X1="}, want: `'env' 'FOO=b'"'"'r' '_X1=' 'env'`},
		{name: "sudo", argv: []string{"apt-get", "-y"}, sudo: true, want: `'sudo' '-n' '--' 'apt-get' '-y'`},
		{name: "sudo env", argv: []string{"id"}, env: []string{"A=1"}, sudo: true, want: `'sudo' '-n' '--' 'env' 'A=1' 'id'`},
		{name: "empty", wantErr: "empty command"},
		{name: "bad key", argv: []string{"id"}, env: []string{"1A=x"}, wantErr: "invalid environment entry"},
		{name: "key with space", argv: []string{"id"}, env: []string{"A B=x"}, wantErr: "invalid environment entry"},
		{name: "no equals", argv: []string{"id"}, env: []string{"A"}, wantErr: "invalid environment entry"},
		{name: "argv0 with equals after env", argv: []string{"a=b"}, env: []string{"A=1"}, wantErr: "cannot follow env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := commandLine(tt.argv, tt.env, tt.sudo)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("commandLine = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestSplitAddress(t *testing.T) {
	tests := []struct {
		addr     string
		port     int
		wantHost string
		wantPort int
		wantErr  bool
	}{
		{addr: "example.com", wantHost: "example.com", wantPort: 22},
		{addr: "example.com:2222", wantHost: "example.com", wantPort: 2222},
		{addr: "example.com:2222", port: 23, wantHost: "example.com", wantPort: 23},
		{addr: "::1", wantHost: "::1", wantPort: 22},
		{addr: "[::1]:2200", wantHost: "::1", wantPort: 2200},
		{addr: "[fe80::1]", wantHost: "fe80::1", wantPort: 22},
		{addr: "", wantErr: true},
		{addr: "h:0", wantErr: true},
		{addr: "h:x", wantErr: true},
		{addr: "h", port: 70000, wantErr: true},
	}
	for _, tt := range tests {
		host, port, err := splitAddress(tt.addr, tt.port)
		if tt.wantErr {
			if err == nil {
				t.Errorf("splitAddress(%q, %d) = %q, %d; want an error", tt.addr, tt.port, host, port)
			}
			continue
		}
		if err != nil || host != tt.wantHost || port != tt.wantPort {
			t.Errorf("splitAddress(%q, %d) = %q, %d, %v; want %q, %d", tt.addr, tt.port, host, port, err, tt.wantHost, tt.wantPort)
		}
	}
}

func TestNewValidates(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	dir := t.TempDir()
	encrypted := filepath.Join(dir, "enc")
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	sshtest.WriteFile(t, encrypted, string(pem.EncodeToMemory(block)))
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no address", Options{IdentityFile: encrypted}, "no address"},
		{"no auth", Options{Address: "h", User: "u"}, "u@h:22: no identity_file given and no ssh agent"},
		{"missing key", Options{Address: "h", User: "u", IdentityFile: filepath.Join(dir, "nope")}, "no such file"},
		{"passphrase", Options{Address: "h", User: "u", IdentityFile: encrypted}, "passphrase-protected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// newClient returns a Client for s that counts its dials.
func newClient(t *testing.T, o Options) (*Client, *atomic.Int32) {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	var dials atomic.Int32
	dial := c.dial
	c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, addr)
	}
	return c, &dials
}

// sleeper returns argv that sleeps for an hour, longer than any test;
// the test kills it when it ends, since sshd leaves a root login's
// commands running when their session closes.
func sleeper(t *testing.T) []string {
	argv, _ := sleeperPid(t)
	return argv
}

// sleeperPid is sleeper, with the file its pid is written to once it runs.
func sleeperPid(t *testing.T) (argv []string, pidFile string) {
	pidFile = filepath.Join(t.TempDir(), "sleeper.pid")
	proctest.KillPidFileAtCleanup(t, pidFile)
	return []string{"sh", "-c", `echo $$ > "$1"; exec sleep 3600`, "sh", pidFile}, pidFile
}

// whenSleeping returns a sleeper's argv and calls f once the sleeper runs on
// the host (sshd is on this machine, so its pid file is visible here): a
// fault injected then hits a running command however slow the machine is.
// Should the sleeper never start, f is not called and the Run under test
// ends at its timeout, failing the test.
func whenSleeping(t *testing.T, f func()) []string {
	argv, pidFile := sleeperPid(t)
	deadline := time.Now().Add(proctest.Timeout(t))
	go func() {
		for time.Now().Before(deadline) {
			if data, err := os.ReadFile(pidFile); err == nil && strings.HasSuffix(string(data), "\n") {
				f()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return argv
}

// runReturns calls f and returns its error, failing the test should f not
// return within proctest.Timeout: a hang, not slowness.
func runReturns(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(proctest.Timeout(t)):
		t.Fatal("Run did not return")
		return nil
	}
}

func run(t *testing.T, c *Client, cmd sdk.Cmd) sdk.Result {
	t.Helper()
	res, err := c.Run(context.Background(), cmd)
	if err != nil {
		t.Fatalf("Run(%v): %v", cmd.Argv, err)
	}
	return res
}

func TestRun(t *testing.T) {
	s := sshtest.Start(t)
	c, dials := newClient(t, options(s))

	t.Run("argv is literal", func(t *testing.T) {
		res := run(t, c, sdk.Cmd{Argv: []string{"printf", `%s\n`, "a b", "it's", "$HOME;x", `"q" \ *`, ""}})
		want := "a b\nit's\n$HOME;x\n\"q\" \\ *\n\n"
		if string(res.Stdout) != want || res.ExitCode != 0 {
			t.Fatalf("stdout = %q, exit %d; want %q, 0", res.Stdout, res.ExitCode, want)
		}
	})
	t.Run("stdin", func(t *testing.T) {
		in := []byte("line 1\nbinary \x00\xff\n")
		res := run(t, c, sdk.Cmd{Argv: []string{"cat"}, Stdin: in})
		if string(res.Stdout) != string(in) {
			t.Fatalf("stdout = %q, want %q", res.Stdout, in)
		}
	})
	t.Run("no stdin is EOF", func(t *testing.T) {
		res := run(t, c, sdk.Cmd{Argv: []string{"cat"}, Timeout: proctest.Timeout(t)})
		if len(res.Stdout) != 0 {
			t.Fatalf("stdout = %q, want empty", res.Stdout)
		}
	})
	t.Run("env", func(t *testing.T) {
		res := run(t, c, sdk.Cmd{Argv: []string{"env"}, Env: []string{"FOO=bar", "TEND_X=a b'c"}})
		out := "\n" + string(res.Stdout)
		if !strings.Contains(out, "\nFOO=bar\n") || !strings.Contains(out, "\nTEND_X=a b'c\n") {
			t.Fatalf("env output lacks FOO=bar or TEND_X:\n%s", res.Stdout)
		}
	})
	t.Run("exit code and stderr", func(t *testing.T) {
		res := run(t, c, sdk.Cmd{Argv: []string{"sh", "-c", "echo out; echo oops >&2; exit 3"}})
		if res.ExitCode != 3 || string(res.Stdout) != "out\n" || string(res.Stderr) != "oops\n" {
			t.Fatalf("got exit %d, stdout %q, stderr %q; want 3, \"out\\n\", \"oops\\n\"", res.ExitCode, res.Stdout, res.Stderr)
		}
		if _, err := sdk.Check(context.Background(), c, sdk.Cmd{Argv: []string{"sh", "-c", "exit 3"}}); !errors.As(err, new(*sdk.ExitError)) {
			t.Fatalf("sdk.Check: err = %v, want an *sdk.ExitError", err)
		}
	})
	t.Run("missing program", func(t *testing.T) {
		res := run(t, c, sdk.Cmd{Argv: []string{"tend-no-such-program"}})
		if res.ExitCode != 127 {
			t.Fatalf("exit = %d, want 127", res.ExitCode)
		}
	})
	t.Run("invalid env is an error naming the host", func(t *testing.T) {
		_, err := c.Run(context.Background(), sdk.Cmd{Argv: []string{"env"}, Env: []string{"BAD KEY=1"}})
		if err == nil || !strings.Contains(err.Error(), s.User+"@127.0.0.1:") {
			t.Fatalf("err = %v, want an error naming the host", err)
		}
	})
	if n := dials.Load(); n != 1 {
		t.Errorf("dialled %d times, want 1 connection for all runs", n)
	}
}

func TestConcurrentRunsShareOneConnection(t *testing.T) {
	s := sshtest.Start(t)
	c, dials := newClient(t, options(s))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			want := strings.Repeat("x", i+1)
			res, err := c.Run(context.Background(), sdk.Cmd{Argv: []string{"sh", "-c", "sleep 0.2; cat"}, Stdin: []byte(want)})
			if err == nil && string(res.Stdout) != want {
				err = errors.New("stdout " + string(res.Stdout) + ", want " + want)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("dialled %d times, want 1", n)
	}
}

func TestTimeoutKills(t *testing.T) {
	s := sshtest.Start(t)
	c, _ := newClient(t, options(s))
	// The command would outlast the test: Run must return at the timeout.
	err := runReturns(t, func() error {
		_, err := c.Run(context.Background(), sdk.Cmd{Argv: sleeper(t), Timeout: 200 * time.Millisecond})
		return err
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "@127.0.0.1:") {
		t.Errorf("error %q does not name the host", err)
	}
	// The connection is still good for the next command.
	if res := run(t, c, sdk.Cmd{Argv: []string{"echo", "ok"}}); string(res.Stdout) != "ok\n" {
		t.Fatalf("stdout after timeout = %q", res.Stdout)
	}
}

func TestCancel(t *testing.T) {
	s := sshtest.Start(t)
	c, _ := newClient(t, options(s))
	ctx, cancel := context.WithCancel(context.Background())
	argv := whenSleeping(t, cancel)
	err := runReturns(t, func() error {
		_, err := c.Run(ctx, sdk.Cmd{Argv: argv})
		return err
	})
	t.Log(err)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestUnknownHostKey(t *testing.T) {
	s := sshtest.Start(t)
	o := options(s)
	o.KnownHostsFile = filepath.Join(s.Dir, "empty_known_hosts")
	sshtest.WriteFile(t, o.KnownHostsFile, "# nothing yet\n")
	c, _ := newClient(t, o)
	_, err := c.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}})
	t.Log(err)
	if err == nil {
		t.Fatal("Run succeeded against an unknown host key")
	}
	for _, want := range []string{"is not in " + o.KnownHostsFile, "ssh-keyscan -p " + strconv.Itoa(s.Port) + " 127.0.0.1 >> " + o.KnownHostsFile, s.User + "@127.0.0.1:" + strconv.Itoa(s.Port)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestMissingKnownHostsFile(t *testing.T) {
	s := sshtest.Start(t)
	o := options(s)
	o.KnownHostsFile = filepath.Join(s.Dir, "absent")
	c, _ := newClient(t, o)
	_, err := c.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}})
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "ssh-keyscan") {
		t.Fatalf("err = %v, want a pointer to ssh-keyscan", err)
	}
}

func TestChangedHostKey(t *testing.T) {
	s := sshtest.Start(t)
	other := sshtest.WriteKey(t, filepath.Join(s.Dir, "other_host_key"))
	sshtest.WriteFile(t, s.KnownHosts, s.KnownHostsLine(other))
	c, _ := newClient(t, options(s))
	_, err := c.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}})
	t.Log(err)
	if err == nil {
		t.Fatal("Run succeeded with a changed host key")
	}
	for _, want := range []string{"MAN-IN-THE-MIDDLE", ssh.FingerprintSHA256(s.HostKey), s.KnownHosts + " line 1", "@127.0.0.1:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestWrongUserKey(t *testing.T) {
	s := sshtest.Start(t)
	o := options(s)
	o.IdentityFile = filepath.Join(s.Dir, "stranger")
	sshtest.WriteKey(t, o.IdentityFile)
	c, _ := newClient(t, o)
	_, err := c.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}})
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") || !strings.Contains(err.Error(), s.User+"@127.0.0.1:"+strconv.Itoa(s.Port)) {
		t.Fatalf("err = %v, want an authentication error naming %s@%s", err, s.User, s.Addr())
	}
}

func TestRedialAfterDrop(t *testing.T) {
	s := sshtest.Start(t)
	c, dials := newClient(t, options(s))
	run(t, c, sdk.Cmd{Argv: []string{"true"}})

	// Break the connection under the client, as a network failure would.
	c.mu.Lock()
	_ = c.conn.Close()
	c.mu.Unlock()
	if res := run(t, c, sdk.Cmd{Argv: []string{"echo", "again"}}); string(res.Stdout) != "again\n" {
		t.Fatalf("stdout = %q", res.Stdout)
	}
	if n := dials.Load(); n != 2 {
		t.Fatalf("dialled %d times, want 2", n)
	}
}

func TestRedialWhenStaleConnectionFailsNewSession(t *testing.T) {
	s := sshtest.Start(t)
	c, dials := newClient(t, options(s))
	run(t, c, sdk.Cmd{Argv: []string{"true"}})

	// Close the connection but keep it as the current one, so that the
	// next Run finds NewSession failing and must dial again itself.
	c.mu.Lock()
	stale := c.conn
	c.mu.Unlock()
	_ = stale.Close()
	c.mu.Lock()
	c.conn = stale
	c.mu.Unlock()
	run(t, c, sdk.Cmd{Argv: []string{"true"}})
	if n := dials.Load(); n != 2 {
		t.Fatalf("dialled %d times, want 2", n)
	}
}

func TestLostConnectionDuringRun(t *testing.T) {
	s := sshtest.Start(t)
	c, _ := newClient(t, options(s))
	run(t, c, sdk.Cmd{Argv: []string{"true"}})
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	argv := whenSleeping(t, func() { _ = conn.Close() })
	_, err := c.Run(context.Background(), sdk.Cmd{Argv: argv, Timeout: proctest.Timeout(t)})
	t.Log(err)
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a lost-connection error", err)
	}
	run(t, c, sdk.Cmd{Argv: []string{"true"}})
}

func TestRunAfterClose(t *testing.T) {
	s := sshtest.Start(t)
	c, _ := newClient(t, options(s))
	run(t, c, sdk.Cmd{Argv: []string{"true"}})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}}); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Run after Close: err = %v", err)
	}
}

func TestAgent(t *testing.T) {
	s := sshtest.Start(t)
	pemBytes, err := os.ReadFile(s.UserKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.ParseRawPrivateKey(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: key}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(s.Dir, "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer conn.Close(); _ = agent.ServeAgent(keyring, conn) }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	o := options(s)
	o.IdentityFile = ""
	c, _ := newClient(t, o)
	if res := run(t, c, sdk.Cmd{Argv: []string{"echo", "agent"}}); string(res.Stdout) != "agent\n" {
		t.Fatalf("stdout = %q", res.Stdout)
	}
}

func TestSudo(t *testing.T) {
	if _, err := exec.LookPath("sudo"); err != nil {
		t.Skip("sudo is not installed; TestCommandLine covers how Sudo wraps argv")
	}
	s := sshtest.Start(t)
	o := options(s)
	o.Sudo = true
	c, _ := newClient(t, o)
	res, err := c.Run(context.Background(), sdk.Cmd{Argv: []string{"id", "-u"}})
	if err != nil {
		if strings.Contains(err.Error(), "sudo needs a password") {
			return // the clear error is the behaviour we want
		}
		t.Fatal(err)
	}
	if strings.TrimSpace(string(res.Stdout)) != "0" {
		t.Fatalf("id -u under sudo = %q, exit %d, stderr %q", res.Stdout, res.ExitCode, res.Stderr)
	}
}

// blackhole is a TCP connection that can go silent, like a peer behind a
// NAT that dropped its state or a host that lost power: writes still
// "succeed", nothing is ever read again.
type blackhole struct {
	net.Conn
	silent atomic.Bool
	closed chan struct{}
	once   sync.Once
}

func (b *blackhole) Read(p []byte) (int, error) {
	n, err := b.Conn.Read(p)
	if b.silent.Load() {
		<-b.closed
		return 0, net.ErrClosed
	}
	return n, err
}

func (b *blackhole) Write(p []byte) (int, error) {
	if b.silent.Load() {
		return len(p), nil
	}
	return b.Conn.Write(p)
}

func (b *blackhole) Close() error {
	b.once.Do(func() { close(b.closed) })
	return b.Conn.Close()
}

// dialThroughBlackhole makes c dial through a blackhole, which a test can
// turn silent; the pointer holds the newest connection's.
func dialThroughBlackhole(c *Client) *atomic.Pointer[blackhole] {
	var hole atomic.Pointer[blackhole]
	dial := c.dial
	c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		b := &blackhole{Conn: conn, closed: make(chan struct{})}
		hole.Store(b)
		return b, nil
	}
	return &hole
}

// TestKeepAliveDropsDeadConnection: a peer that stops answering fails the
// running command after a few unanswered keepalives, instead of leaving it
// waiting for TCP; a live but quiet command is not disturbed by them.
func TestKeepAliveDropsDeadConnection(t *testing.T) {
	s := sshtest.Start(t)
	o := options(s)
	// Probes every 250ms; 20 unanswered in a row (5s of silence, which a
	// loaded machine does not reach) drop the connection.
	o.KeepAlive, o.KeepAliveMax = 250*time.Millisecond, 20
	c, _ := newClient(t, o)
	hole := dialThroughBlackhole(c)
	// Quiet for many keepalive intervals, and answered all along.
	run(t, c, sdk.Cmd{Argv: []string{"sleep", "3"}})

	argv := whenSleeping(t, func() { hole.Load().silent.Store(true) })
	_, err := c.Run(context.Background(), sdk.Cmd{Argv: argv, Timeout: proctest.Timeout(t)})
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the connection dropped by the keepalive", err)
	}
	// The next command dials afresh.
	run(t, c, sdk.Cmd{Argv: []string{"true"}})
}

// TestSessionOpenHonoursTimeout: a peer that stops answering while a session
// is being opened fails the command at its timeout (keepalives are set far
// off, so only the timeout can end it); x/crypto/ssh's NewSession alone
// would wait for the channel-open reply forever. The connection is then
// dialled afresh, and the next command runs.
func TestSessionOpenHonoursTimeout(t *testing.T) {
	s := sshtest.Start(t)
	o := options(s)
	o.KeepAlive, o.KeepAliveMax = time.Hour, 1000
	c, _ := newClient(t, o)
	hole := dialThroughBlackhole(c)
	run(t, c, sdk.Cmd{Argv: []string{"true"}})
	hole.Load().silent.Store(true)
	err := runReturns(t, func() error {
		_, err := c.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}, Timeout: time.Second})
		return err
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	c.mu.Lock()
	dead := c.conn
	c.mu.Unlock()
	c.forget(dead) // what the keepalive does, in its own time
	run(t, c, sdk.Cmd{Argv: []string{"true"}})
}

// deadlineConn answers nothing and fails each read with a timeout once the
// deadline set on it passes, as a socket does, whether or not the
// context that set it has noticed yet.
type deadlineConn struct {
	net.Conn
	mu       sync.Mutex
	deadline time.Time
}

func (d *deadlineConn) SetDeadline(t time.Time) error {
	d.mu.Lock()
	d.deadline = t
	d.mu.Unlock()
	return nil
}

func (d *deadlineConn) Read([]byte) (int, error) {
	d.mu.Lock()
	dl := d.deadline
	d.mu.Unlock()
	time.Sleep(time.Until(dl))
	return 0, os.ErrDeadlineExceeded
}

func (d *deadlineConn) Write(p []byte) (int, error) { return len(p), nil }

// TestHandshakeTimeoutIsDeadline: a command whose timeout runs out while
// the connection is still being set up fails with
// context.DeadlineExceeded, like one that times out later, even when the
// socket's deadline fires before the context's timer (on a busy machine
// the handshake alone can outlast a short timeout).
func TestHandshakeTimeoutIsDeadline(t *testing.T) {
	s := sshtest.Start(t)
	c, _ := newClient(t, options(s))
	dial := c.dial
	c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &deadlineConn{Conn: conn}, nil
	}
	for i := 0; i < 20; i++ {
		_, err := c.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}, Timeout: 20 * time.Millisecond})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("run %d: err = %v, want context.DeadlineExceeded", i, err)
		}
	}
}

// TestDialTimeoutIsDeadline: a command whose timeout runs out while the
// TCP connection is still being dialled (a slow network, a busy machine)
// fails with context.DeadlineExceeded too, though the dialer reports it
// as an i/o timeout.
func TestDialTimeoutIsDeadline(t *testing.T) {
	s := sshtest.Start(t)
	c, _ := newClient(t, options(s))
	c.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrDeadlineExceeded}
	}
	_, err := c.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}, Timeout: 20 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

// TestKnownHostsParsedOnce: clients dialing the same known_hosts file share
// one parse of it while it is unchanged, and a key added to it (or one
// replaced) counts from the next dial.
func TestKnownHostsParsedOnce(t *testing.T) {
	s := sshtest.Start(t)
	o := options(s)
	o.KnownHostsFile = filepath.Join(s.Dir, "fleet_known_hosts")
	sshtest.WriteFile(t, o.KnownHostsFile, "# nothing yet\n")
	c1, _ := newClient(t, o)
	if _, err := c1.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}}); err == nil || !strings.Contains(err.Error(), "is not in") {
		t.Fatalf("err = %v, want the key unknown", err)
	}
	sshtest.WriteFile(t, o.KnownHostsFile, s.KnownHostsLine(s.HostKey))
	c2, _ := newClient(t, o)
	if res := run(t, c2, sdk.Cmd{Argv: []string{"echo", "ok"}}); string(res.Stdout) != "ok\n" {
		t.Fatalf("stdout after adding the key = %q", res.Stdout)
	}
	first, ok := parsedHosts.Load(o.KnownHostsFile)
	if !ok {
		t.Fatal("known_hosts not cached after a dial")
	}
	c3, _ := newClient(t, o)
	run(t, c3, sdk.Cmd{Argv: []string{"true"}})
	if again, _ := parsedHosts.Load(o.KnownHostsFile); !again.(parsedFile).id.Same(first.(parsedFile).id) {
		t.Errorf("known_hosts parsed again though unchanged")
	}
	other := sshtest.WriteKey(t, filepath.Join(s.Dir, "other_host_key"))
	sshtest.WriteFile(t, o.KnownHostsFile, s.KnownHostsLine(other))
	c4, _ := newClient(t, o)
	if _, err := c4.Run(context.Background(), sdk.Cmd{Argv: []string{"true"}}); err == nil || !strings.Contains(err.Error(), "MAN-IN-THE-MIDDLE") {
		t.Fatalf("err = %v, want the replaced key refused", err)
	}
}
