package ssh

import (
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/tend-sh/tend/internal/fileid"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyCallback verifies the presented host key against the known_hosts
// file and turns knownhosts' terse errors into instructions (unknown key:
// the ssh-keyscan command; changed key: a possible man-in-the-middle, with
// the fingerprint and the line it contradicts). It also returns the key
// algorithms already known for host:port, so the server is asked for a key
// that can be checked rather than one never seen. The Git source uses it
// too, so hosts and repositories are verified by the same rules.
func HostKeyCallback(file, host string, port int) (ssh.HostKeyCallback, []string, error) {
	check, err := knownHosts(file)
	if err != nil {
		return nil, nil, fmt.Errorf("known hosts file: %w (add the host key with: ssh-keyscan -p %d %s >> %s)", err, port, host, file)
	}
	cb := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := check(hostname, remote, key)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &re):
			return fmt.Errorf("host key of %s (%s) is marked revoked in %s", host, ssh.FingerprintSHA256(key), file)
		case errors.As(err, &ke) && len(ke.Want) == 0:
			return fmt.Errorf("host key of %s is not in %s: verify it and add it (ssh-keyscan -p %d %s >> %s)", host, file, port, host, file)
		case errors.As(err, &ke):
			return fmt.Errorf("POSSIBLE MAN-IN-THE-MIDDLE ATTACK: host key of %s has changed: it presented %s %s, which does not match %s line %d; if the change is expected, remove the old line and add the new key (ssh-keyscan -p %d %s >> %s)",
				host, key.Type(), ssh.FingerprintSHA256(key), ke.Want[0].Filename, ke.Want[0].Line, port, host, file)
		default:
			return fmt.Errorf("checking host key of %s: %w", host, err)
		}
	}
	return cb, knownAlgorithms(check, net.JoinHostPort(host, fmt.Sprint(port))), nil
}

// parsedHosts caches, per file, the parsed known_hosts: a reconcile dials
// every host of the fleet, and parsing the file on each dial costs
// O(hosts × lines). An entry holds while the file is the same, unchanged
// file (fileid), so an edit counts from the next dial.
var parsedHosts sync.Map // file → parsedFile

type parsedFile struct {
	id    fileid.ID
	check ssh.HostKeyCallback
}

// knownHosts is knownhosts.New(file), parsed again only when the file
// changed. The file is stat'ed before and after parsing: one changed
// meanwhile is not cached.
func knownHosts(file string) (ssh.HostKeyCallback, error) {
	id, err := fileid.Stat(file)
	if err != nil {
		return knownhosts.New(file) // its error, naming the file
	}
	if p, ok := parsedHosts.Load(file); ok && p.(parsedFile).id.Same(id) {
		return p.(parsedFile).check, nil
	}
	check, err := knownhosts.New(file)
	if err != nil {
		return nil, err
	}
	if after, err := fileid.Stat(file); err == nil && after.Same(id) {
		parsedHosts.Store(file, parsedFile{id: id, check: check})
	}
	return check, nil
}

// knownAlgorithms lists the host key algorithms known_hosts holds for
// hostport, asking it with a key that matches nothing. Nil means the host
// is unknown; the default algorithm order then applies.
func knownAlgorithms(check ssh.HostKeyCallback, hostport string) []string {
	var ke *knownhosts.KeyError
	err := check(hostport, &net.TCPAddr{IP: net.IPv4zero}, probeKey{})
	if !errors.As(err, &ke) {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	add := func(a string) {
		if !seen[a] {
			seen[a] = true
			algos = append(algos, a)
		}
	}
	for _, k := range ke.Want {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			add(ssh.KeyAlgoRSASHA512)
			add(ssh.KeyAlgoRSASHA256)
			add(t)
		default:
			add(t)
		}
	}
	return algos
}

// probeKey is a public key that matches no known_hosts line.
type probeKey struct{}

func (probeKey) Type() string                        { return "tend-probe" }
func (probeKey) Marshal() []byte                     { return []byte("\x00\x00\x00\x0atend-probe") }
func (probeKey) Verify([]byte, *ssh.Signature) error { return errors.New("probe key") }
