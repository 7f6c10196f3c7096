package commitsig

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

const pgpKeyBlockStart = "-----BEGIN PGP PUBLIC KEY BLOCK-----"

// LoadKeyring reads armored OpenPGP public keys. Several armored blocks may
// be concatenated in the file (cat alice.asc bob.asc > keyring.asc).
func LoadKeyring(path string) (openpgp.EntityList, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading OpenPGP keyring: %w", err)
	}
	blocks := strings.Split(string(data), pgpKeyBlockStart)[1:]
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%s: no %q found; export keys with gpg --armor --export", path, pgpKeyBlockStart)
	}
	var keyring openpgp.EntityList
	for i, b := range blocks {
		el, err := openpgp.ReadArmoredKeyRing(strings.NewReader(pgpKeyBlockStart + b))
		if err != nil {
			return nil, fmt.Errorf("%s: key block %d: %w", path, i+1, err)
		}
		keyring = append(keyring, el...)
	}
	return keyring, nil
}

// pgpVerify checks an armored detached signature over payload.
func pgpVerify(keyring openpgp.EntityList, armored string, payload []byte) (Signer, error) {
	block, err := armor.Decode(strings.NewReader(armored))
	if err != nil {
		return Signer{}, fail(ErrBadSignature, err, "unreadable OpenPGP signature")
	}
	if block.Type != openpgp.SignatureType {
		return Signer{}, fail(ErrBadSignature, nil, "OpenPGP armor type is %q, want %q", block.Type, openpgp.SignatureType)
	}
	raw := new(bytes.Buffer)
	if _, err := raw.ReadFrom(block.Body); err != nil {
		return Signer{}, fail(ErrBadSignature, err, "unreadable OpenPGP signature")
	}
	p, err := packet.Read(bytes.NewReader(raw.Bytes()))
	if err != nil {
		return Signer{}, fail(ErrBadSignature, err, "unreadable OpenPGP signature")
	}
	sig, ok := p.(*packet.Signature)
	if !ok || sig.IssuerKeyId == nil {
		return Signer{}, fail(ErrBadSignature, nil, "OpenPGP signature names no issuer key")
	}
	issuer := fmt.Sprintf("%016X", *sig.IssuerKeyId)
	if len(sig.IssuerFingerprint) > 0 {
		issuer = fmt.Sprintf("%X", sig.IssuerFingerprint)
	}
	if len(keyring) == 0 {
		return Signer{}, fail(ErrUntrusted, nil, "signed by OpenPGP key %s but no OpenPGP keyring is configured", issuer)
	}
	_, entity, err := openpgp.VerifyDetachedSignature(keyring, bytes.NewReader(payload), bytes.NewReader(raw.Bytes()), nil)
	switch {
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return Signer{}, fail(ErrUntrusted, nil, "signed by OpenPGP key %s which is not in the trusted keyring", issuer)
	case errors.Is(err, pgperrors.ErrKeyExpired), errors.Is(err, pgperrors.ErrKeyRevoked), errors.Is(err, pgperrors.ErrSignatureExpired):
		return Signer{}, fail(ErrUntrusted, err, "signed by OpenPGP key %s which is no longer valid", issuer)
	case err != nil:
		return Signer{}, fail(ErrBadSignature, err, "OpenPGP signature by key %s does not verify", issuer)
	}
	return Signer{Kind: KindOpenPGP, Identity: pgpIdentity(entity), Fingerprint: signingKeyFingerprint(entity, *sig.IssuerKeyId)}, nil
}

func pgpIdentity(e *openpgp.Entity) string {
	if id := e.PrimaryIdentity(); id != nil {
		return id.Name
	}
	return ""
}

// signingKeyFingerprint is the hex fingerprint of the primary key or
// subkey with the given key id.
func signingKeyFingerprint(e *openpgp.Entity, keyID uint64) string {
	pk := e.PrimaryKey
	for _, sub := range e.Subkeys {
		if sub.PublicKey.KeyId == keyID {
			pk = sub.PublicKey
		}
	}
	return fmt.Sprintf("%X", pk.Fingerprint)
}
