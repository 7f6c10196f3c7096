package gitsource

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestURLCredentialsNeverStored: credentials in the URL (user info or a
// query string) are refused with an error saying which kind (tend serve
// then points at --token-file or --ssh-key), never written into the
// clone's config, and never quoted in the error; the clone's directories
// are created 0700.
func TestURLCredentialsNeverStored(t *testing.T) {
	isolateGit(t)
	for _, tc := range []struct {
		name, url string
		is        error  // the refusal, when the URL parses
		want      string // else what the error says
	}{
		{"token as user", "https://ghs_s3cr3t@git.example.com/org/fleet.git", ErrURLCredentials, ""},
		{"user and token", "https://x-access-token:s3cr3t@git.example.com/org/fleet.git", ErrURLCredentials, ""},
		{"token in the query", "https://git.example.com/org/fleet.git?private_token=s3cr3t", ErrURLQuery, ""},
		{"ssh password", "ssh://git:s3cr3t@git.example.com/org/fleet.git", ErrURLPassword, ""},
		{"unparsable, with both", "https://tok:s3cr3t@git example.com/fleet.git?private_token=s3cr3t", nil, "invalid repository URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state", "repo.git")
			_, err := Open(Options{URL: tc.url, Dir: dir})
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("Open(%s) = %v, want %v", tc.url, err, tc.is)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open(%s) = %v, want an error saying %q", tc.url, err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Fatalf("the error quotes the secret: %v", err)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "config")); err == nil && strings.Contains(string(b), "s3cr3t") {
				t.Fatalf("the secret is stored in the clone's config:\n%s", b)
			}
		})
	}

	t.Run("directories are private", func(t *testing.T) {
		f := newFixture(t)
		f.commit(map[string]string{"a.tend.hcl": "1\n"})
		f.push("main")
		state := filepath.Join(t.TempDir(), "state")
		f.open(Options{Dir: filepath.Join(state, "repo.git")})
		for _, d := range []string{state, filepath.Join(state, "repo.git")} {
			if m := mode(t, d); m&0o077 != 0 {
				t.Errorf("%s has mode %v, want no group or other access", d, m)
			}
		}
	})
}
