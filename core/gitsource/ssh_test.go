package gitsource

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	f.roundTrip(s, c1, "ssh")
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

// TestServerClosedEarly: only go-git's "closing input: EOF" is fetched
// again; other errors are reported at once.
func TestServerClosedEarly(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{fmt.Errorf("closing input: EOF"), true},
		{fmt.Errorf("closing input: broken pipe"), false},
		{fmt.Errorf("authentication required"), false},
	} {
		if got := serverClosedEarly(tc.err); got != tc.want {
			t.Errorf("serverClosedEarly(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
