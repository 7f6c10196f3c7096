package htmlreport

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// slug is a file name for a host or client: the name itself when it is
// safe in a path and a URL, else its safe characters and a hash of the
// name, so two names never share a page. "" (hosts without a client) is
// "_none", which no safe name can be.
func slug(name string) string {
	if name == "" {
		return "_none"
	}
	if safeName.MatchString(name) && !strings.Contains(name, "..") {
		return name
	}
	var b strings.Builder
	for _, r := range name {
		if r < 128 && (r == '-' || r == '.' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	sum := sha256.Sum256([]byte(name))
	return "_" + strings.ReplaceAll(b.String(), "..", "__") + "-" + hex.EncodeToString(sum[:4])
}
