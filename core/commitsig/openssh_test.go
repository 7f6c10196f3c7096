package commitsig

import (
	"os/exec"
	"strings"
	"testing"
)

// TestAgreesWithGitVerifyCommit checks tend's verdict on one signed commit
// against git verify-commit (which runs ssh-keygen -Y find-principals and
// -Y verify) for allowed signers and revoked keys files OpenSSH reads in
// different ways: where git accepts, tend accepts, and where git refuses
// (OpenSSH ignores a line it cannot read), tend refuses. The one
// deliberate difference: git takes the signer's identity from the allowed
// signers line the key is on, whatever the commit says; tend requires the
// line's principals to match the committer email, so a key trusted for
// one person cannot sign commits as another.
func TestAgreesWithGitVerifyCommit(t *testing.T) {
	isolateGit(t)
	pub, key := sshKey(t, "-t", "ed25519")
	_, other := sshKey(t, "-t", "ed25519")
	r, c := gitCommit(t, pub)
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	repo := wt.Filesystem.Root()
	tests := []struct {
		name, signers, revoked string
		// stricter: git accepts, tend refuses because the principals do
		// not match the committer email.
		stricter bool
	}{
		{"plain", committer + " " + key, "", false},
		{"quoted options", committer + ` namespaces="git",valid-after="20000101" ` + key, "", false},
		{"unquoted valid-after", committer + " valid-after=20000101 " + key, "", false},
		{"unquoted namespaces", committer + " namespaces=git " + key, "", false},
		{"namespaces glob", committer + ` namespaces="gi*" ` + key, "", false},
		{"namespaces negated other", committer + ` namespaces="!file,*" ` + key, "", false},
		{"namespaces negated git", committer + ` namespaces="!git,*" ` + key, "", false},
		{"namespaces other", committer + ` namespaces="file" ` + key, "", false},
		{"expired", committer + ` valid-before="20000101" ` + key, "", false},
		{"empty validity", committer + ` valid-after="20000101",valid-before="20000101" ` + key, "", false},
		{"principal glob", "*@example.com " + key, "", false},
		{"principal negated", "!alice@example.com,*@example.com " + key, "", true},
		{"principal of someone else", "bob@example.com " + key, "", true},
		{"other key", committer + " " + other, "", false},
		{"revoked", committer + " " + key, key + " old laptop", false},
		{"other key revoked", committer + " " + key, other, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signers := writeFile(t, "allowed_signers", tt.signers+"\n")
			args := []string{"-c", "gpg.ssh.allowedSignersFile=" + signers}
			v, err := verifierFor(signers, "")
			if tt.revoked != "" {
				revoked := writeFile(t, "revoked", tt.revoked+"\n")
				args = append(args, "-c", "gpg.ssh.revocationFile="+revoked)
				v, err = verifierFor(signers, revoked)
			}
			tendOK := err == nil
			if tendOK {
				_, err = v.Verify(c)
				tendOK = err == nil
			}
			cmd := exec.Command("git", append(args, "verify-commit", c.Hash.String())...)
			cmd.Dir = repo
			out, gitErr := cmd.CombinedOutput()
			if gitOK := gitErr == nil; gitOK != tendOK && !(tt.stricter && gitOK) {
				t.Fatalf("git verify-commit ok=%v, tend ok=%v (%v)\ngit said: %s", gitOK, tendOK, err, strings.TrimSpace(string(out)))
			}
			if tt.stricter && (gitErr != nil || tendOK) {
				t.Fatalf("want git to accept (%v: %s) and tend to refuse (ok=%v)", gitErr, out, tendOK)
			}
		})
	}
}

// verifierFor loads the files as tend serve does.
func verifierFor(signersPath, revokedPath string) (*Verifier, error) {
	s, err := LoadAllowedSigners(signersPath)
	if err != nil {
		return nil, err
	}
	v := New(s, nil)
	if revokedPath != "" {
		keys, err := LoadRevokedKeys(revokedPath)
		if err != nil {
			return nil, err
		}
		v = v.WithRevoked(keys)
	}
	return v, nil
}
