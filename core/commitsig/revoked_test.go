package commitsig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestLoadRevokedKeys(t *testing.T) {
	a, b := testKeyLine(t), testKeyLine(t)
	keys, err := LoadRevokedKeys(writeFile(t, "revoked", "# gone\n\n"+a+" old laptop\n"+b+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || strings.TrimSpace(string(ssh.MarshalAuthorizedKey(keys[0]))) != a {
		t.Fatalf("keys = %v", keys)
	}
	if keys, err := LoadRevokedKeys(writeFile(t, "revoked", "")); err != nil || len(keys) != 0 {
		t.Fatalf("empty file: %v, %v", keys, err)
	}
}

func TestLoadRevokedKeysErrors(t *testing.T) {
	key := testKeyLine(t)
	tests := []struct{ name, content, want string }{
		{"not a key", "# c\nssh-ed25519 !!!\n", ":2: not a public key"},
		{"allowed signers line", "alice@example.com " + key + "\n", `:1: "alice@example.com" before the key: a revoked keys file lists public keys only`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "revoked", tt.content)
			_, err := LoadRevokedKeys(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want %q naming %s", err, tt.want, path)
			}
		})
	}
	if _, err := LoadRevokedKeys(realKRL(t)); err == nil || !strings.Contains(err.Error(), "is an OpenSSH key revocation list (KRL)") {
		t.Errorf("KRL: err = %v", err)
	}
	if _, err := LoadRevokedKeys(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file: no error")
	}
}

// realKRL makes a key revocation list with ssh-keygen -k.
func realKRL(t *testing.T) string {
	t.Helper()
	isolateGit(t)
	pub, _ := sshKey(t, "-t", "ed25519")
	krl := filepath.Join(t.TempDir(), "revoked.krl")
	run(t, "", "ssh-keygen", "-q", "-k", "-f", krl, pub)
	if b, err := os.ReadFile(krl); err != nil || !strings.HasPrefix(string(b), krlMagic) {
		t.Fatalf("ssh-keygen -k wrote %q, %v", b, err)
	}
	return krl
}
