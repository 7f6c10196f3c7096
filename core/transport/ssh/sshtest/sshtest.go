package sshtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// SSHDPath is where the tests expect sshd (Debian's openssh-server).
const SSHDPath = "/usr/sbin/sshd"

// Server is a real sshd on 127.0.0.1 with throwaway keys.
type Server struct {
	Port       int
	Dir        string
	HostKey    ssh.PublicKey
	UserKey    string // private key file authorized for the current user
	KnownHosts string // a known_hosts file holding HostKey for the server
	User       string
	cmd        *exec.Cmd
	log        *syncBuffer
}

// Start starts sshd as the current user, authorizing UserKey, and stops it
// when t ends. It skips the test when sshd is not installed.
func Start(t *testing.T) *Server {
	t.Helper()
	if _, err := os.Stat(SSHDPath); err != nil {
		t.Skipf("%s not found (install openssh-server to run the SSH tests): %v", SSHDPath, err)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	// sshd refuses to start without its privilege separation directory.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Skipf("cannot create /run/sshd for sshd: %v", err)
	}
	dir := t.TempDir()
	s := &Server{Dir: dir, User: u.Username, log: &syncBuffer{}}
	hostKeyFile := filepath.Join(dir, "host_ed25519")
	s.HostKey = WriteKey(t, hostKeyFile)
	s.UserKey = filepath.Join(dir, "user_ed25519")
	userPub := WriteKey(t, s.UserKey)
	authorized := filepath.Join(dir, "authorized_keys")
	WriteFile(t, authorized, string(ssh.MarshalAuthorizedKey(userPub)))
	s.Port = freePort(t)
	s.KnownHosts = filepath.Join(dir, "known_hosts")
	WriteFile(t, s.KnownHosts, s.KnownHostsLine(s.HostKey))

	config := filepath.Join(dir, "sshd_config")
	WriteFile(t, config, strings.Join([]string{
		"ListenAddress 127.0.0.1",
		"HostKey " + hostKeyFile,
		"AuthorizedKeysFile " + authorized,
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"StrictModes no",
		"UsePAM no",
		"PermitRootLogin prohibit-password",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PubkeyAuthentication yes",
		"MaxSessions 20",
		"LogLevel VERBOSE",
		"",
	}, "\n"))
	s.cmd = exec.Command(SSHDPath, "-D", "-e", "-f", config, "-p", fmt.Sprint(s.Port))
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("sshd log:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(2 * time.Minute) // generous: the machine may be loaded
	for {
		conn, err := net.DialTimeout("tcp", s.Addr(), 100*time.Millisecond)
		if err == nil {
			conn.Close()
			return s
		}
		select {
		case <-exited:
			t.Fatalf("sshd exited at start:\n%s", s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd did not listen on %s: %v\n%s", s.Addr(), err, s.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.Port) }

// KnownHostsLine is a known_hosts line binding key to the server's address.
func (s *Server) KnownHostsLine(key ssh.PublicKey) string {
	return fmt.Sprintf("[127.0.0.1]:%d %s", s.Port, ssh.MarshalAuthorizedKey(key))
}

// WriteKey writes a fresh ed25519 private key in OpenSSH format to path
// and returns its public key.
func WriteKey(t *testing.T, path string) ssh.PublicKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return sshPub
}

// WriteFile writes content to path with mode 0600.
func WriteFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
