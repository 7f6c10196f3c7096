package commitsig

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/crypto/ssh"

	"github.com/tend-sh/tend/core/commitid"
)

// Sentinel errors; Verify wraps them with the commit and key in question.
var (
	// ErrNoTrust means neither allowed signers nor a keyring is configured.
	ErrNoTrust = errors.New("no trusted keys configured")
	// ErrUnsigned means the commit carries no signature.
	ErrUnsigned = errors.New("commit is not signed")
	// ErrUntrusted means the signature is valid but its key is not trusted
	// for this commit (unknown or revoked key, wrong namespace option,
	// principal or validity period).
	ErrUntrusted = errors.New("signing key is not trusted")
	// ErrBadSignature means the signature is malformed or does not match
	// the commit.
	ErrBadSignature = errors.New("bad signature")
)

// Signer kinds.
const (
	KindSSH     = "ssh"
	KindOpenPGP = "openpgp"
)

// Signer identifies who signed a verified commit.
type Signer struct {
	// Kind is KindSSH or KindOpenPGP.
	Kind string
	// Identity is the committer email that matched an allowed signer's
	// principals (ssh) or the key's primary identity "Name <email>"
	// (openpgp).
	Identity string
	// Fingerprint is "SHA256:…" for ssh, the signing key's hex
	// fingerprint for openpgp.
	Fingerprint string
}

func (s Signer) String() string {
	return fmt.Sprintf("%s key %s (%s)", s.Kind, s.Fingerprint, s.Identity)
}

// Verifier checks commit signatures against the trusted keys.
type Verifier struct {
	signers []AllowedSigner
	keyring openpgp.EntityList
	revoked []ssh.PublicKey
}

// New returns a Verifier trusting signers and keyring; either may be empty.
// With both empty, Verify always fails with ErrNoTrust.
func New(signers []AllowedSigner, keyring openpgp.EntityList) *Verifier {
	return &Verifier{signers: slices.Clone(signers), keyring: slices.Clone(keyring)}
}

// WithRevoked returns a copy of v that also refuses SSH signatures by the
// revoked keys, whatever the allowed signers say (git's
// gpg.ssh.revocationFile).
func (v *Verifier) WithRevoked(keys []ssh.PublicKey) *Verifier {
	w := *v
	w.revoked = append(slices.Clone(v.revoked), keys...)
	return &w
}

// Verify checks that c is signed by a trusted key and returns the signer.
// Errors wrap ErrNoTrust, ErrUnsigned, ErrUntrusted or ErrBadSignature.
func (v *Verifier) Verify(c *object.Commit) (Signer, error) {
	if c == nil {
		return Signer{}, fmt.Errorf("%w: no commit to verify", ErrUnsigned)
	}
	s, err := v.verify(c)
	if err != nil {
		var ve *verifyError
		if errors.As(err, &ve) {
			ve.commit = c.Hash
		}
		return Signer{}, err
	}
	return s, nil
}

func (v *Verifier) verify(c *object.Commit) (Signer, error) {
	if len(v.signers) == 0 && len(v.keyring) == 0 {
		return Signer{}, fail(ErrNoTrust, nil, "cannot verify: no allowed signers file or OpenPGP keyring is configured")
	}
	armored := strings.TrimSpace(c.PGPSignature)
	if armored == "" {
		return Signer{}, fail(ErrUnsigned, nil, "not signed; tend only applies commits signed by a trusted key (git commit -S)")
	}
	if strings.Count(armored, "-----BEGIN ") > 1 {
		return Signer{}, fail(ErrBadSignature, nil, "carries more than one signature")
	}
	payload, err := signedPayload(c)
	if err != nil {
		return Signer{}, fail(ErrBadSignature, err, "encoding commit for verification")
	}
	switch {
	case strings.HasPrefix(armored, sshsigArmorStart):
		return v.verifySSH(c, armored, payload)
	case strings.HasPrefix(armored, "-----BEGIN PGP SIGNATURE-----"):
		return pgpVerify(v.keyring, armored, payload)
	}
	kind, _, _ := strings.Cut(armored, "\n")
	return Signer{}, fail(ErrUntrusted, nil, "signature format %q is not supported; use SSH or OpenPGP signatures", kind)
}

func (v *Verifier) verifySSH(c *object.Commit, armored string, payload []byte) (Signer, error) {
	sig, err := parseSSHSig(armored)
	if err != nil {
		if sig != nil {
			return Signer{}, fail(ErrBadSignature, err, "malformed SSH signature by key %s", ssh.FingerprintSHA256(sig.key))
		}
		return Signer{}, fail(ErrBadSignature, err, "malformed SSH signature")
	}
	fp := ssh.FingerprintSHA256(sig.key)
	if err := sig.verify(payload); err != nil {
		return Signer{}, fail(ErrBadSignature, err, "SSH signature by key %s does not verify", fp)
	}
	if slices.ContainsFunc(v.revoked, func(k ssh.PublicKey) bool { return sameKey(k, sig.key) }) {
		return Signer{}, fail(ErrUntrusted, nil, "signed by SSH key %s, which is revoked", fp)
	}
	if len(v.signers) == 0 {
		return Signer{}, fail(ErrUntrusted, nil, "signed by SSH key %s but no allowed signers file is configured", fp)
	}
	var reasons []string
	for i := range v.signers {
		a := &v.signers[i]
		if !a.sameKey(sig.key) {
			continue
		}
		if why := a.check(gitNamespace, c.Committer.Email, c.Committer.When); why != "" {
			reasons = append(reasons, a.where()+": "+why)
			continue
		}
		return Signer{Kind: KindSSH, Identity: c.Committer.Email, Fingerprint: fp}, nil
	}
	if len(reasons) == 0 {
		return Signer{}, fail(ErrUntrusted, nil, "signed by SSH key %s which is not in %s", fp, v.signerFiles())
	}
	return Signer{}, fail(ErrUntrusted, nil, "signed by SSH key %s but the allowed signers reject it: %s", fp, strings.Join(reasons, "; "))
}

// signerFiles names the allowed signers files for messages.
func (v *Verifier) signerFiles() string {
	var files []string
	for _, s := range v.signers {
		if s.File != "" && !slices.Contains(files, s.File) {
			files = append(files, s.File)
		}
	}
	if len(files) == 0 {
		return "the allowed signers"
	}
	return strings.Join(files, ", ")
}

// signedPayload is the commit as encoded without its gpgsig header, the
// bytes git signs.
func signedPayload(c *object.Commit) ([]byte, error) {
	o := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(o); err != nil {
		return nil, err
	}
	r, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// verifyError is a sentinel with detail; Verify fills in the commit.
type verifyError struct {
	commit plumbing.Hash
	kind   error
	msg    string
	cause  error
}

func fail(kind, cause error, format string, args ...any) error {
	return &verifyError{kind: kind, msg: fmt.Sprintf(format, args...), cause: cause}
}

func (e *verifyError) Error() string {
	s := "commit " + commitid.Short(e.commit.String()) + ": " + e.msg
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

func (e *verifyError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}
