package gitsource

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestTokenAuth(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("  ghs_fromfile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TEND_TEST_TOKEN", "glpat-fromenv")
	const url = "https://git.example.com/org/fleet.git"
	for _, tc := range []struct {
		name       string
		o          Options
		user, pass string
	}{
		{"file", Options{TokenFile: tokenFile}, "x-access-token", "ghs_fromfile"},
		{"file wins over env", Options{TokenFile: tokenFile, TokenEnv: "TEND_TEST_TOKEN"}, "x-access-token", "ghs_fromfile"},
		{"env with GitLab user", Options{TokenEnv: "TEND_TEST_TOKEN", TokenUser: "oauth2"}, "oauth2", "glpat-fromenv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.URL, tc.o.Dir = url, filepath.Join(t.TempDir(), "repo.git")
			s, err := Open(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			ba, ok := s.Auth().(*githttp.BasicAuth)
			if !ok || ba.Username != tc.user || ba.Password != tc.pass {
				t.Fatalf("Auth() = %#v", s.Auth())
			}
		})
	}

	t.Run("no token is anonymous", func(t *testing.T) {
		s, err := Open(Options{URL: url, Dir: filepath.Join(t.TempDir(), "repo.git")})
		if err != nil || s.Auth() != nil {
			t.Fatalf("Open = %v, Auth() = %v", err, s.Auth())
		}
	})

	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"missing file", Options{TokenFile: filepath.Join(dir, "nope")}, "read token file"},
		{"empty file", Options{TokenFile: os.DevNull}, "is empty"},
		{"unset env", Options{TokenEnv: "TEND_TEST_UNSET_TOKEN"}, "TEND_TEST_UNSET_TOKEN holding the token is empty or unset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.URL, tc.o.Dir = "https://git.example.com/org/fleet.git", filepath.Join(t.TempDir(), "repo.git")
			_, err := Open(tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "https://git.example.com/org/fleet.git") {
				t.Fatalf("err = %v, want %q and the URL", err, tc.want)
			}
		})
	}
}

func TestTokenFileIsReadBeforeEachFetch(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{URL: "https://git.example.com/x.git", Dir: filepath.Join(t.TempDir(), "repo.git"), TokenFile: tokenFile})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenFile, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.auth.refresh(); err != nil {
		t.Fatal(err)
	}
	if ba := s.Auth().(*githttp.BasicAuth); ba.Password != "two" {
		t.Fatalf("token after rotation = %q", ba.Password)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://x-access-token:ghs_abc@github.com/o/r.git": "https://github.com/o/r.git",
		"https://ghs_abc@github.com/o/r.git":                "https://github.com/o/r.git",
		"ssh://git:pw@host:2222/r.git":                      "ssh://git@host:2222/r.git",
		"ssh://git@host/r.git":                              "ssh://git@host/r.git",
		"git@github.com:o/r.git":                            "git@github.com:o/r.git",
		"/srv/git/r.git":                                    "/srv/git/r.git",
		"file:///srv/git/r.git":                             "file:///srv/git/r.git",
		"https://gitlab.com/o/r.git?private_token=glpat-x":  "https://gitlab.com/o/r.git?<redacted>",
		"https://tok@gitlab.com/o/r.git#frag":               "https://gitlab.com/o/r.git?<redacted>",
		"https://gitlab.com?private_token=glpat-x":          "https://gitlab.com?<redacted>",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// sshSetup writes a private key and a known_hosts file holding hostKey for
// host (a "[host]:port" pattern when port is not 22).
func sshSetup(t *testing.T, host string, port int, hostKey ssh.PublicKey) (keyFile, knownHosts string) {
	t.Helper()
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile = filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := host
	if port != 22 {
		addr = net.JoinHostPort(host, "2222")
	}
	knownHosts = filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(knownHosts, []byte(knownhosts.Line([]string{addr}, hostKey)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return keyFile, knownHosts
}

func newHostKey(t *testing.T) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSSHAuth(t *testing.T) {
	hostKey := newHostKey(t)
	for _, tc := range []struct {
		url, host string
		port      int
	}{
		{"ssh://git@git.example.com:2222/org/fleet.git", "git.example.com", 2222},
		{"git@git.example.com:org/fleet.git", "git.example.com", 22},
	} {
		t.Run(tc.url, func(t *testing.T) {
			keyFile, known := sshSetup(t, tc.host, tc.port, hostKey)
			s, err := Open(Options{URL: tc.url, Dir: filepath.Join(t.TempDir(), "repo.git"), SSHKeyFile: keyFile, KnownHostsFile: known})
			if err != nil {
				t.Fatal(err)
			}
			pk, ok := s.Auth().(*gitssh.PublicKeys)
			if !ok || pk.User != "git" || pk.HostKeyCallback == nil {
				t.Fatalf("Auth() = %#v", s.Auth())
			}
			if len(pk.HostKeyAlgorithms) != 1 || pk.HostKeyAlgorithms[0] != ssh.KeyAlgoED25519 {
				t.Errorf("HostKeyAlgorithms = %v", pk.HostKeyAlgorithms)
			}
			cfg, err := pk.ClientConfig()
			if err != nil {
				t.Fatal(err)
			}
			hostport := net.JoinHostPort(tc.host, "22")
			if tc.port != 22 {
				hostport = net.JoinHostPort(tc.host, "2222")
			}
			remote := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: tc.port}
			if err := cfg.HostKeyCallback(hostport, remote, hostKey); err != nil {
				t.Errorf("known host key refused: %v", err)
			}
			err = cfg.HostKeyCallback(hostport, remote, newHostKey(t))
			if err == nil || !strings.Contains(err.Error(), "has changed") || !strings.Contains(err.Error(), tc.host) {
				t.Errorf("changed host key: %v", err)
			}
			err = cfg.HostKeyCallback(net.JoinHostPort("other.example.com", "22"), remote, hostKey)
			if err == nil || !strings.Contains(err.Error(), "ssh-keyscan") {
				t.Errorf("unknown host: %v", err)
			}
		})
	}
}

func TestSSHAuthErrors(t *testing.T) {
	hostKey := newHostKey(t)
	keyFile, known := sshSetup(t, "git.example.com", 22, hostKey)
	url := "ssh://git@git.example.com/org/fleet.git"
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"missing known_hosts", Options{SSHKeyFile: keyFile, KnownHostsFile: filepath.Join(t.TempDir(), "known_hosts")}, "ssh-keyscan -p 22 git.example.com"},
		{"missing key", Options{SSHKeyFile: filepath.Join(t.TempDir(), "id"), KnownHostsFile: known}, "read SSH key"},
		{"bad key", Options{SSHKeyFile: known, KnownHostsFile: known}, "SSH key " + known},
		{"token on ssh", Options{TokenEnv: "X", KnownHostsFile: known}, "token does not apply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.URL, tc.o.Dir = url, filepath.Join(t.TempDir(), "repo.git")
			_, err := Open(tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), url) {
				t.Fatalf("err = %v, want %q and the URL", err, tc.want)
			}
		})
	}
	t.Run("no key and no agent", func(t *testing.T) {
		t.Setenv("SSH_AUTH_SOCK", "")
		_, err := Open(Options{URL: url, Dir: filepath.Join(t.TempDir(), "repo.git"), KnownHostsFile: known})
		if err == nil || !strings.Contains(err.Error(), "ssh-agent") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("agent is dialled lazily", func(t *testing.T) {
		t.Setenv("SSH_AUTH_SOCK", filepath.Join(t.TempDir(), "agent.sock"))
		s, err := Open(Options{URL: url, Dir: filepath.Join(t.TempDir(), "repo.git"), KnownHostsFile: known})
		if err != nil {
			t.Fatal(err)
		}
		cb, ok := s.Auth().(*gitssh.PublicKeysCallback)
		if !ok || cb.User != "git" || cb.HostKeyCallback == nil {
			t.Fatalf("Auth() = %#v", s.Auth())
		}
		if _, err := cb.Callback(); err == nil || !strings.Contains(err.Error(), "SSH_AUTH_SOCK") {
			t.Fatalf("agent with no socket: %v", err)
		}
	})
}

func TestFetchErrorHidesCredentials(t *testing.T) {
	isolateGit(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Nothing listens on port 1: the fetch fails at once, quoting the URL.
	s, err := Open(Options{URL: "https://127.0.0.1:1/org/fleet.git", TokenFile: tokenFile, Dir: filepath.Join(t.TempDir(), "repo.git")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Fetch(context.Background())
	if err == nil || strings.Contains(err.Error(), "s3cr3t") ||
		!strings.Contains(err.Error(), `branch "main" of https://127.0.0.1:1/org/fleet.git`) {
		t.Fatalf("err = %v", err)
	}
}

// TestRedactText: URLs a server or library quotes in an error lose their
// user info and query string.
func TestRedactText(t *testing.T) {
	in := `Get "https://oauth2:glpat-s3cr3t@gitlab.com/o/r.git/info/refs?service=git-upload-pack&private_token=glpat-s3cr3t": redirected to https://gitlab.com/x?private_token=glpat-s3cr3t`
	got := redactText(in)
	if strings.Contains(got, "s3cr3t") || !strings.Contains(got, "https://gitlab.com/o/r.git/info/refs?<redacted>") {
		t.Fatalf("redactText = %s", got)
	}
}
