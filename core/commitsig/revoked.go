package commitsig

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
)

// krlMagic starts an OpenSSH key revocation list, a binary format.
const krlMagic = "SSHKRL\n\x00"

// LoadRevokedKeys reads a revoked keys file as git's
// gpg.ssh.revocationFile names one for ssh-keygen: public keys one per
// line ("keytype base64-key [comment]"); blank lines and lines starting
// with # are skipped, errors name file:line. A signature by a listed key
// is refused even when the allowed signers trust the key. OpenSSH's
// binary KRL format is refused with an error, since tend cannot read it.
func LoadRevokedKeys(path string) ([]ssh.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading revoked keys: %w", err)
	}
	if bytes.HasPrefix(data, []byte(krlMagic)) {
		return nil, fmt.Errorf("%s is an OpenSSH key revocation list (KRL); tend reads revoked keys as public keys, one per line", path)
	}
	var keys []ssh.PublicKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, err := parseRevokedKey(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return keys, nil
}

// parseRevokedKey parses "keytype base64-key [comment]", without options.
func parseRevokedKey(line string) (ssh.PublicKey, error) {
	k, _, opts, _, err := ssh.ParseAuthorizedKey([]byte(line))
	switch {
	case err != nil:
		return nil, errors.New("not a public key: expected \"keytype base64-key [comment]\"")
	case len(opts) > 0:
		return nil, fmt.Errorf("%q before the key: a revoked keys file lists public keys only (\"keytype base64-key [comment]\")", strings.Join(opts, ","))
	}
	return k, nil
}
