package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nkeys"
)

// SeedFile is the name of the host's nkey seed in the state directory.
const SeedFile = "agent.nk"

// Enroll makes sure the state directory holds the host's nkey (a user
// key, its seed in SeedFile, mode 0600), creating it the first time, and
// returns its public key, which the controller's operator signs into the
// host's credentials. created says whether the key is new.
func Enroll(stateDir string) (public string, created bool, err error) {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return "", false, fmt.Errorf("state directory: %w", err)
	}
	path := filepath.Join(stateDir, SeedFile)
	seed, err := os.ReadFile(path)
	switch {
	case err == nil:
		kp, err := nkeys.FromSeed([]byte(strings.TrimSpace(string(seed))))
		if err != nil {
			return "", false, fmt.Errorf("%s: not an nkey seed: %w", path, err)
		}
		defer kp.Wipe()
		pub, err := kp.PublicKey()
		return pub, false, err
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, err
	}
	kp, err := nkeys.CreateUser()
	if err != nil {
		return "", false, err
	}
	defer kp.Wipe()
	seed, err = kp.Seed()
	if err != nil {
		return "", false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", false, err
	}
	if _, err := f.Write(append(seed, '\n')); err != nil {
		f.Close()
		os.Remove(path)
		return "", false, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", false, err
	}
	if err := f.Close(); err != nil {
		return "", false, err
	}
	pub, err := kp.PublicKey()
	return pub, true, err
}
