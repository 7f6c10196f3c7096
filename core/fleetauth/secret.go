package fleetauth

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nkeys"
)

// WriteSecret writes data to path with mode 0600, replacing it atomically
// (a temporary file in the same directory, renamed), so a seed or .creds
// file is never readable by others nor half written.
func WriteSecret(path string, data []byte) error {
	return placeSecret(path, data, os.Rename)
}

// placeSecret writes data to a temporary file (mode 0600, synced) in
// path's directory and puts it at path with place (os.Rename replaces,
// os.Link does not).
func placeSecret(path string, data []byte, place func(tmp, path string) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return place(f.Name(), path)
}

// notUserKey explains why key is not a public user nkey without echoing
// it: what was passed may be a seed.
func notUserKey(key string) error {
	if strings.HasPrefix(key, "S") {
		return errors.New("the key given is a seed (S…), not a public user nkey (U…): pass the public key tend agent enroll printed, and keep the seed on the host")
	}
	return errors.New("the key given is not a public user nkey (U…)")
}

// UserSeed returns the public key of the user nkey whose seed is in path,
// creating the key the first time (its seed written with mode 0600, never
// over one another process wrote meanwhile); created says whether it is
// new. tend serve keeps its controller's key so, tend agent enroll the
// host's.
func UserSeed(path string) (public string, created bool, err error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		defer clear(b)
		kp, err := nkeys.FromSeed(bytes.TrimSpace(b))
		if err != nil {
			return "", false, fmt.Errorf("%s: not an nkey seed: %w", path, err)
		}
		defer kp.Wipe()
		pub, err := kp.PublicKey()
		if err == nil && !nkeys.IsValidPublicUserKey(pub) {
			err = fmt.Errorf("%s: not the seed of a user nkey (SU…)", path)
		}
		return pub, false, err
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, err
	}
	kp, err := nkeys.CreateUser()
	if err != nil {
		return "", false, err
	}
	defer kp.Wipe()
	seed, err := kp.Seed()
	if err != nil {
		return "", false, err
	}
	defer clear(seed)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", false, err
	}
	switch err := createSecret(path, append(seed, '\n')); {
	case errors.Is(err, fs.ErrExist): // made meanwhile by another process: that one holds
		return UserSeed(path)
	case err != nil:
		return "", false, err
	}
	pub, err := kp.PublicKey()
	return pub, true, err
}

// createSecret writes data to a new file path with mode 0600, as
// WriteSecret does, but never replaces one: when path exists (another
// process made it first) it returns an error that is fs.ErrExist.
func createSecret(path string, data []byte) error {
	return placeSecret(path, data, os.Link)
}
