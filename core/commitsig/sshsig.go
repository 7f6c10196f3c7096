package commitsig

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// SSHSIG format, see OpenSSH PROTOCOL.sshsig.
const (
	sshsigArmorStart = "-----BEGIN SSH SIGNATURE-----"
	sshsigArmorEnd   = "-----END SSH SIGNATURE-----"
	sshsigMagic      = "SSHSIG"
	sshsigVersion    = 1
	gitNamespace     = "git"
)

// sshsig is a decoded SSHSIG blob.
type sshsig struct {
	key       ssh.PublicKey
	namespace string
	reserved  string
	hashAlg   string
	sig       ssh.Signature
}

// parseSSHSig decodes an armored SSHSIG. The key is returned as soon as it
// is parsed, so errors about later fields can still name it.
func parseSSHSig(armored string) (*sshsig, error) {
	body, ok := strings.CutPrefix(strings.TrimSpace(armored), sshsigArmorStart)
	if !ok {
		return nil, errors.New("missing " + sshsigArmorStart)
	}
	body, ok = strings.CutSuffix(body, sshsigArmorEnd)
	if !ok {
		return nil, errors.New("missing " + sshsigArmorEnd)
	}
	blob, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(body), ""))
	if err != nil {
		return nil, fmt.Errorf("decoding base64: %w", err)
	}
	rest, ok := bytes.CutPrefix(blob, []byte(sshsigMagic))
	if !ok {
		return nil, errors.New("missing SSHSIG magic")
	}
	if len(rest) < 4 {
		return nil, errors.New("truncated SSHSIG blob")
	}
	if v := binary.BigEndian.Uint32(rest); v != sshsigVersion {
		return nil, fmt.Errorf("unsupported SSHSIG version %d", v)
	}
	rest = rest[4:]
	var fields [5][]byte
	for i := range fields {
		if fields[i], rest, ok = readString(rest); !ok {
			return nil, errors.New("truncated SSHSIG blob")
		}
	}
	if len(rest) != 0 {
		return nil, errors.New("trailing data after SSHSIG blob")
	}
	s := &sshsig{namespace: string(fields[1]), reserved: string(fields[2]), hashAlg: string(fields[3])}
	if s.key, err = ssh.ParsePublicKey(fields[0]); err != nil {
		return nil, fmt.Errorf("parsing signing key: %w", err)
	}
	if err := ssh.Unmarshal(fields[4], &s.sig); err != nil {
		return s, fmt.Errorf("parsing signature: %w", err)
	}
	return s, nil
}

// verify checks the signature over message and that it was made for the
// git namespace.
func (s *sshsig) verify(message []byte) error {
	if s.namespace != gitNamespace {
		return fmt.Errorf("signature namespace is %q, want %q", s.namespace, gitNamespace)
	}
	var digest []byte
	switch s.hashAlg {
	case "sha256":
		h := sha256.Sum256(message)
		digest = h[:]
	case "sha512":
		h := sha512.Sum512(message)
		digest = h[:]
	default:
		return fmt.Errorf("unsupported hash algorithm %q", s.hashAlg)
	}
	if s.sig.Format == ssh.KeyAlgoRSA {
		return errors.New("ssh-rsa (SHA-1) signatures are not accepted; re-sign with rsa-sha2-512")
	}
	signed := []byte(sshsigMagic)
	for _, f := range []string{s.namespace, s.reserved, s.hashAlg, string(digest)} {
		signed = appendString(signed, f)
	}
	return s.key.Verify(signed, &s.sig)
}

func readString(b []byte) (s, rest []byte, ok bool) {
	if len(b) < 4 {
		return nil, nil, false
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(len(b)-4) < uint64(n) {
		return nil, nil, false
	}
	return b[4 : 4+n], b[4+n:], true
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}
