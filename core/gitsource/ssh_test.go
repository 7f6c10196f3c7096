package gitsource

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/transport/ssh/sshtest"
)

// TestSSHRoundTrip fetches the configuration and pushes reports over a real
// sshd on 127.0.0.1 (git-upload-pack and git-receive-pack on its side),
// with the host key checked against known_hosts.
func TestSSHRoundTrip(t *testing.T) {
	srv := sshtest.Start(t)
	f := newFixture(t)
	c1 := f.commit(map[string]string{"main.tend.hcl": "1\n"})
	f.push("main")
	url := fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", srv.User, srv.Port, f.upstream)
	s := f.open(Options{URL: url, SSHKeyFile: srv.UserKey, KnownHostsFile: srv.KnownHosts})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if h, err := s.Fetch(ctx); err != nil || h != c1 {
		t.Fatalf("Fetch over ssh = %s, %v; want %s", h, err, c1)
	}
	c := reportsbranch.Commit{Message: "tend: test", Author: object.Signature{Name: "tend", Email: "tend@example.com", When: time.Now()}}
	if _, _, err := reportsbranch.Sync(ctx, s.RepoPath(), s.Remote(), "tend/reports",
		reportsbranch.Files{"SUMMARY.md": []byte("over ssh\n")}, c, reportsbranch.WithAuth(s.Auth())); err != nil {
		t.Fatalf("Sync over ssh: %v", err)
	}
	if got := runGit(t, f.upstream, "show", "tend/reports:SUMMARY.md"); got != "over ssh" {
		t.Fatalf("upstream SUMMARY.md = %q", got)
	}
}

// TestSSHUnknownHostKey: a server whose key is not in known_hosts is
// refused, with the command that would fetch it.
func TestSSHUnknownHostKey(t *testing.T) {
	srv := sshtest.Start(t)
	f := newFixture(t)
	f.commit(map[string]string{"main.tend.hcl": "1\n"})
	f.push("main")
	other := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", srv.User, srv.Port, f.upstream)
	s := f.open(Options{URL: url, SSHKeyFile: srv.UserKey, KnownHostsFile: other})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := s.Fetch(ctx)
	if err == nil || !strings.Contains(err.Error(), "ssh-keyscan") {
		t.Fatalf("Fetch with an unknown host key: %v; want a refusal naming ssh-keyscan", err)
	}
}
