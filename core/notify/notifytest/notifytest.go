// Package notifytest runs real receivers on 127.0.0.1 for notification
// tests: an HTTP receiver that records every request and can go down and
// come back on the same address, and an SMTP server (Debian's
// python3-aiosmtpd) that requires STARTTLS and keeps mail in a Maildir.
package notifytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Request is one request a Receiver got.
type Request struct {
	Header http.Header
	Body   []byte
}

// Receiver is an HTTP server on 127.0.0.1 that answers 200 (or Status)
// and records requests.
type Receiver struct {
	t    testing.TB
	addr string
	srv  *http.Server
	// Status is the status it answers with (default 200).
	Status int

	mu   sync.Mutex
	reqs []Request
}

// NewReceiver starts a receiver; the test's cleanup stops it.
func NewReceiver(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{t: t, Status: http.StatusOK}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	r.serve(ln)
	t.Cleanup(r.Stop)
	return r
}

// URL is the receiver's address.
func (r *Receiver) URL() string { return "http://" + r.addr + "/hook" }

func (r *Receiver) serve(ln net.Listener) {
	srv := &http.Server{ReadHeaderTimeout: time.Minute, Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, Request{Header: req.Header.Clone(), Body: b})
		status := r.Status
		r.mu.Unlock()
		w.WriteHeader(status)
	})}
	r.srv = srv
	go func() { _ = srv.Serve(ln) }()
}

// Stop takes the receiver down: connections to it are refused.
func (r *Receiver) Stop() {
	if r.srv != nil {
		_ = r.srv.Close()
		r.srv = nil
	}
}

// Start brings a stopped receiver back on the same address.
func (r *Receiver) Start() {
	r.t.Helper()
	var ln net.Listener
	var err error
	for range 100 { // the port may take a moment to be free again
		if ln, err = net.Listen("tcp", r.addr); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	r.serve(ln)
}

// Requests returns the requests so far.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Wait polls until ok holds for the requests so far, failing the test
// after timeout.
func (r *Receiver) Wait(timeout time.Duration, ok func([]Request) bool) []Request {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		reqs := r.Requests()
		if ok(reqs) {
			return reqs
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("receiver: condition not met within %s; %d requests", timeout, len(reqs))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SMTP is an aiosmtpd server on 127.0.0.1 that requires STARTTLS.
type SMTP struct {
	Host string
	Port int
	// CAFile is the PEM certificate the server presents (self-signed).
	CAFile  string
	maildir string
}

// python is Debian's python3, which has aiosmtpd (a python3 earlier in
// PATH may not).
func python() string {
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return "python3"
}

// Available says why the SMTP server cannot run here, nil if it can.
func Available() error {
	return exec.Command(python(), "-c", "import aiosmtpd").Run()
}

// authServer is aiosmtpd with SMTP AUTH (PLAIN, LOGIN) of one user,
// allowed only after STARTTLS; the CLI has no authentication options.
const authServer = `
import signal, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult
host, port, cert, key, maildir, user, password = sys.argv[1:]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
def check(server, session, envelope, mechanism, data):
    ok = data.login == user.encode() and data.password == password.encode()
    return AuthResult(success=ok, handled=False)
c = Controller(Mailbox(maildir), hostname=host, port=int(port), tls_context=ctx, require_starttls=True,
               auth_required=True, auth_require_tls=True, authenticator=check, server_hostname=host)
c.start()
signal.sigwait({signal.SIGTERM, signal.SIGINT})
c.stop()
`

// StartSMTP starts the server, or skips the test without aiosmtpd
// (make deps installs python3-aiosmtpd); cleanup stops it.
func StartSMTP(t testing.TB) *SMTP { return startSMTP(t, "", "") }

// StartSMTPAuth starts a server that also requires SMTP AUTH as user with
// password.
func StartSMTPAuth(t testing.TB, user, password string) *SMTP { return startSMTP(t, user, password) }

func startSMTP(t testing.TB, user, password string) *SMTP {
	t.Helper()
	if err := Available(); err != nil {
		t.Skipf("python3-aiosmtpd is not installed (make deps): %v", err)
	}
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeCert(t, cert, key)
	s := &SMTP{Host: "127.0.0.1", Port: freePort(t), CAFile: cert, maildir: filepath.Join(dir, "Maildir")}
	cmd := exec.Command(python(), "-m", "aiosmtpd", "-n", "-l", s.Host+":"+strconv.Itoa(s.Port),
		"--tlscert", cert, "--tlskey", key, "-c", "aiosmtpd.handlers.Mailbox", s.maildir)
	if user != "" {
		cmd = exec.Command(python(), "-c", authServer, s.Host, strconv.Itoa(s.Port), cert, key, s.maildir, user, password)
	}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c, err := net.Dial("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
		if err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("aiosmtpd did not listen: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Mails returns the raw mails received so far.
func (s *SMTP) Mails() []string {
	entries, _ := os.ReadDir(filepath.Join(s.maildir, "new"))
	var out []string
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(s.maildir, "new", e.Name())); err == nil {
			out = append(out, string(b))
		}
	}
	return out
}

// WaitMails polls until ok holds for the mails so far.
func (s *SMTP) WaitMails(t testing.TB, timeout time.Duration, ok func([]string) bool) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := s.Mails()
		if ok(m) {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("smtp: condition not met within %s; %d mails", timeout, len(m))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeCert(t testing.TB, certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
}
