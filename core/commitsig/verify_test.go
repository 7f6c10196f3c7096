package commitsig

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/crypto/ssh"
)

const committer = "alice@example.com"

// isolateGit points git at an empty configuration, fixed identities and no
// SSH agent, so the host's setup cannot leak into a test.
func isolateGit(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"git", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	t.Setenv("GIT_CONFIG_GLOBAL", writeFile(t, "gitconfig", ""))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("SSH_AUTH_SOCK", "")
	t.Setenv("GIT_AUTHOR_NAME", "Alice")
	t.Setenv("GIT_AUTHOR_EMAIL", committer)
	t.Setenv("GIT_COMMITTER_NAME", "Alice")
	t.Setenv("GIT_COMMITTER_EMAIL", committer)
}

func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// sshKey generates a key pair and returns the public key file and its
// "keytype base64" line.
func sshKey(t *testing.T, args ...string) (pubPath, pubLine string) {
	t.Helper()
	priv := filepath.Join(t.TempDir(), "key")
	run(t, "", "ssh-keygen", append([]string{"-q", "-N", "", "-C", "test", "-f", priv}, args...)...)
	b, err := os.ReadFile(priv + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	return priv + ".pub", f[0] + " " + f[1]
}

func fingerprint(t *testing.T, pubLine string) string {
	t.Helper()
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pubLine))
	if err != nil {
		t.Fatal(err)
	}
	return ssh.FingerprintSHA256(k)
}

// gitCommit makes a commit in a new repository with the git CLI, signed
// with the SSH key at pubPath unless it is empty.
func gitCommit(t *testing.T, pubPath string) (*git.Repository, *object.Commit) {
	t.Helper()
	dir := t.TempDir()
	run(t, dir, "git", "init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "main.tend.hcl"), []byte("hosts {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, dir, "git", "add", ".")
	args := []string{"commit", "-q", "-m", "config"}
	if pubPath != "" {
		args = append([]string{"-c", "gpg.format=ssh", "-c", "user.signingkey=" + pubPath}, append(args, "-S")...)
	}
	run(t, dir, "git", args...)
	r, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(plumbing.NewHash(run(t, dir, "git", "rev-parse", "HEAD")))
	if err != nil {
		t.Fatal(err)
	}
	return r, c
}

func signersFile(t *testing.T, content string) (string, []AllowedSigner) {
	t.Helper()
	path := writeFile(t, "allowed_signers", content)
	s, err := LoadAllowedSigners(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, s
}

func TestVerifySSH(t *testing.T) {
	isolateGit(t)
	pub, key := sshKey(t, "-t", "ed25519")
	_, otherKey := sshKey(t, "-t", "ed25519")
	_, c := gitCommit(t, pub)
	fp := fingerprint(t, key)

	tests := []struct {
		name    string
		signers string
		wantErr error
		wantMsg string // substring of the error
	}{
		{"trusted", committer + " " + key, nil, ""},
		{"wildcard principal", "*@example.com " + key, nil, ""},
		{"git among namespaces", committer + ` namespaces="file,git" ` + key, nil, ""},
		{"within validity", committer + ` valid-after="20000101",valid-before="29991231" ` + key, nil, ""},
		{"second entry trusts", "bob@example.com " + key + "\n" + committer + " " + key, nil, ""},
		{"key not listed", committer + " " + otherKey, ErrUntrusted, "signed by SSH key " + fp + " which is not in "},
		{"namespaces without git", committer + ` namespaces="file" ` + key, ErrUntrusted, `namespaces="file" does not allow namespace "git"`},
		{"namespaces glob", committer + ` namespaces="gi*" ` + key, nil, ""},
		{"namespaces negation", committer + ` namespaces="!file,*" ` + key, nil, ""},
		{"namespaces negating git", committer + ` namespaces="!git,*" ` + key, ErrUntrusted, `namespaces="!git,*" does not allow namespace "git"`},
		{"expired", committer + ` valid-before="20000101" ` + key, ErrUntrusted, "is after valid-before 2000-01-01"},
		{"not yet valid", committer + ` valid-after="29990101" ` + key, ErrUntrusted, "is before valid-after 2999-01-01"},
		{"principal mismatch", "bob@example.com " + key, ErrUntrusted, `principals "bob@example.com" do not match committer email "alice@example.com"`},
		{"negated principal", "!alice@example.com,*@example.com " + key, ErrUntrusted, "do not match committer email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, signers := signersFile(t, tt.signers+"\n")
			got, err := New(signers, nil).Verify(c)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if want := (Signer{Kind: KindSSH, Identity: committer, Fingerprint: fp}); got != want {
					t.Fatalf("signer = %+v, want %+v", got, want)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "commit "+c.Hash.String()[:12]+": ") || !strings.Contains(msg, tt.wantMsg) || !strings.Contains(msg, path) {
				t.Fatalf("err = %q, want commit prefix, %q and %s", msg, tt.wantMsg, path)
			}
		})
	}
}

func TestVerifySSHRSA(t *testing.T) {
	isolateGit(t)
	pub, key := sshKey(t, "-t", "rsa", "-b", "2048")
	_, c := gitCommit(t, pub)
	sig, err := parseSSHSig(c.PGPSignature)
	if err != nil {
		t.Fatal(err)
	}
	if sig.sig.Format != ssh.KeyAlgoRSASHA512 {
		t.Errorf("signature format %q, want %q", sig.sig.Format, ssh.KeyAlgoRSASHA512)
	}
	_, signers := signersFile(t, committer+" "+key+"\n")
	got, err := New(signers, nil).Verify(c)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint != fingerprint(t, key) {
		t.Errorf("fingerprint = %s", got.Fingerprint)
	}
}

func TestVerifyUnsigned(t *testing.T) {
	isolateGit(t)
	_, key := sshKey(t, "-t", "ed25519")
	_, c := gitCommit(t, "")
	_, signers := signersFile(t, committer+" "+key+"\n")
	_, err := New(signers, nil).Verify(c)
	if !errors.Is(err, ErrUnsigned) || !strings.Contains(err.Error(), c.Hash.String()[:12]) {
		t.Fatalf("err = %v, want ErrUnsigned naming the commit", err)
	}
}

func TestVerifyNoTrust(t *testing.T) {
	isolateGit(t)
	pub, _ := sshKey(t, "-t", "ed25519")
	_, c := gitCommit(t, pub)
	if _, err := New(nil, nil).Verify(c); !errors.Is(err, ErrNoTrust) {
		t.Fatalf("err = %v, want ErrNoTrust", err)
	}
}

// TestVerifyTampered reuses a valid signature on a commit whose message was
// changed.
func TestVerifyTampered(t *testing.T) {
	isolateGit(t)
	pub, key := sshKey(t, "-t", "ed25519")
	r, c := gitCommit(t, pub)
	forged := *c
	forged.Message = "config\n\nrm -rf /\n"
	obj := r.Storer.NewEncodedObject()
	if err := forged.Encode(obj); err != nil {
		t.Fatal(err)
	}
	h, err := r.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	tampered, err := r.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	if tampered.PGPSignature != c.PGPSignature {
		t.Fatal("signature not carried over")
	}
	_, signers := signersFile(t, committer+" "+key+"\n")
	_, err = New(signers, nil).Verify(tampered)
	if !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), fingerprint(t, key)) {
		t.Fatalf("err = %v, want ErrBadSignature naming the key", err)
	}
	// The original still verifies.
	if _, err := New(signers, nil).Verify(c); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyMalformedSSH(t *testing.T) {
	c := &object.Commit{PGPSignature: sshsigArmorStart + "\nU1NIU0lH\n" + sshsigArmorEnd + "\n"}
	_, err := New([]AllowedSigner{{}}, nil).Verify(c)
	if !errors.Is(err, ErrBadSignature) {
		t.Fatalf("err = %v, want ErrBadSignature", err)
	}
}

func TestVerifyUnsupportedFormat(t *testing.T) {
	c := &object.Commit{PGPSignature: "-----BEGIN SIGNED MESSAGE-----\nAAAA\n-----END SIGNED MESSAGE-----\n"}
	_, err := New([]AllowedSigner{{}}, nil).Verify(c)
	if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "not supported") {
		t.Fatalf("err = %v, want ErrUntrusted for unsupported format", err)
	}
}

// pgpCommit makes a go-git commit signed with a new OpenPGP entity and
// returns it with the path of the entity's armored public key.
func pgpCommit(t *testing.T) (*object.Commit, *openpgp.Entity, string) {
	t.Helper()
	e, err := openpgp.NewEntity("Alice", "", committer, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tend.hcl"), []byte("hosts {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("main.tend.hcl"); err != nil {
		t.Fatal(err)
	}
	who := &object.Signature{Name: "Alice", Email: committer, When: time.Now()}
	h, err := wt.Commit("config", &git.CommitOptions{Author: who, SignKey: e})
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	return c, e, exportKey(t, e)
}

func exportKey(t *testing.T, es ...*openpgp.Entity) string {
	t.Helper()
	var b strings.Builder
	for _, e := range es {
		w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Serialize(w); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		b.WriteString("\n")
	}
	return writeFile(t, "keyring.asc", b.String())
}

func TestVerifyOpenPGP(t *testing.T) {
	c, e, keyPath := pgpCommit(t)
	keyring, err := LoadKeyring(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := New(nil, keyring).Verify(c)
	if err != nil {
		t.Fatal(err)
	}
	want := Signer{Kind: KindOpenPGP, Identity: "Alice <alice@example.com>", Fingerprint: fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)}
	if got != want {
		t.Fatalf("signer = %+v, want %+v", got, want)
	}

	other, err := openpgp.NewEntity("Mallory", "", "mallory@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	otherRing, err := LoadKeyring(exportKey(t, other))
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(nil, otherRing).Verify(c)
	if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)) {
		t.Fatalf("other keyring: err = %v, want ErrUntrusted naming the key", err)
	}

	_, err = New([]AllowedSigner{{}}, nil).Verify(c)
	if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "no OpenPGP keyring") {
		t.Fatalf("ssh-only verifier: err = %v, want ErrUntrusted", err)
	}

	forged := *c
	forged.Message = "evil\n"
	forged.Hash = plumbing.ZeroHash
	if _, err := New(nil, keyring).Verify(&forged); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged: err = %v, want ErrBadSignature", err)
	}
}

func TestLoadKeyring(t *testing.T) {
	a, err := openpgp.NewEntity("A", "", "a@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := openpgp.NewEntity("B", "", "b@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := LoadKeyring(exportKey(t, a, b))
	if err != nil {
		t.Fatal(err)
	}
	if len(ring) != 2 {
		t.Fatalf("got %d keys, want 2", len(ring))
	}
	path := writeFile(t, "keyring.asc", "not a key\n")
	if _, err := LoadKeyring(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want error naming %s", err, path)
	}
	path = writeFile(t, "keyring.asc", pgpKeyBlockStart+"\n\ngarbage\n-----END PGP PUBLIC KEY BLOCK-----\n")
	if _, err := LoadKeyring(path); err == nil || !strings.Contains(err.Error(), path+": key block 1") {
		t.Fatalf("err = %v, want error naming block 1", err)
	}
}
