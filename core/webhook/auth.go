package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// Authentication headers, in the order they are looked for.
const (
	headerGitHubSignature = "X-Hub-Signature-256"
	headerGitLabToken     = "X-Gitlab-Token"
	headerTendSignature   = "X-Tend-Signature"
)

const signaturePrefix = "sha256="

// Sign returns the signature of body under secret as GitHub and tend's
// generic webhook expect it: "sha256=" and the hex HMAC-SHA256.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// detect picks the source from the authentication header present and
// returns the header's value. The source is "" when none is present.
func detect(h http.Header) (source, credential string) {
	switch {
	case h.Get(headerGitHubSignature) != "":
		return SourceGitHub, h.Get(headerGitHubSignature)
	case h.Get(headerGitLabToken) != "":
		return SourceGitLab, h.Get(headerGitLabToken)
	case h.Get(headerTendSignature) != "":
		return SourceGeneric, h.Get(headerTendSignature)
	}
	return "", ""
}

// validSignature reports whether sig is a well-formed "sha256=<hex>"
// signature of body under secret.
func validSignature(secret, body []byte, sig string) bool {
	h, ok := strings.CutPrefix(sig, signaturePrefix)
	if !ok {
		return false
	}
	got, err := hex.DecodeString(h)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// validToken reports whether token equals secret. Both are hashed first:
// subtle.ConstantTimeCompare returns early on a length mismatch, which
// would tell an attacker the secret's length.
func validToken(secret []byte, token string) bool {
	a := sha256.Sum256([]byte(token))
	b := sha256.Sum256(secret)
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
