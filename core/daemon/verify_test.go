package daemon

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/commitsig"
)

// TestUnverifiedHeadNotApplied: with allowed signers configured, a signed
// head is applied; an unsigned one is reported and not applied, and the
// last verified configuration stays in force.
func TestUnverifiedHeadNotApplied(t *testing.T) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip(err)
	}
	l := newLab(t, securityLab)
	verifier := l.signing()

	l.write("patching/README.md", "signed\n")
	signed := l.commit("signed policy", "-S")
	d := l.daemon(func(o *Options) { o.Verifier = verifier })
	if out := l.reconcile(d); out.State != StateOK || out.Applied != signed {
		t.Fatalf("signed head: %+v", out)
	}

	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, `  approve {
    classification = ["security", "updates"]
  }`))
	unsigned := l.commit("unsigned: approve everything")
	out := l.reconcile(d)
	if out.State != StateUnverified || out.Head != unsigned || out.Applied != signed {
		t.Fatalf("unsigned head: state %s head %s applied %s", out.State, out.Head, out.Applied)
	}
	if got := l.root.Installed(t)["tzdata"]; got != "2025a-1" {
		t.Fatalf("tzdata = %s: the unsigned configuration was applied", got)
	}
	if ok, why := d.Ready(); ok || !strings.Contains(why, "not signed") {
		t.Fatalf("Ready() = %v, %q", ok, why)
	}
	var st StatusFileJSON
	l.reportsJSON("status.json", &st)
	if st.State != StateUnverified || !strings.Contains(st.Problem, "signature not trusted") {
		t.Fatalf("status.json: %+v", st)
	}
}

// signing makes the lab's work tree sign commits (git commit -S) with a
// fresh SSH key and returns a verifier trusting only that key.
func (l *lab) signing() *commitsig.Verifier {
	t := l.t
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip(err)
	}
	key := filepath.Join(t.TempDir(), "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ops", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	signersFile := filepath.Join(t.TempDir(), "allowed_signers")
	if err := os.WriteFile(signersFile, []byte("ops@example.com "+string(pub)), 0o644); err != nil {
		t.Fatal(err)
	}
	signers, err := commitsig.LoadAllowedSigners(signersFile)
	if err != nil {
		t.Fatal(err)
	}
	git(t, l.work, "config", "gpg.format", "ssh")
	git(t, l.work, "config", "user.signingkey", key+".pub")
	return commitsig.New(signers, nil)
}
