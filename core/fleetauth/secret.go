package fleetauth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteSecret writes data to path with mode 0600, replacing it atomically
// (a temporary file in the same directory, renamed), so a seed or .creds
// file is never readable by others nor half written.
func WriteSecret(path string, data []byte) error {
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
	return os.Rename(f.Name(), path)
}

// notUserKey explains why key is not a public user nkey without echoing
// it: what was passed may be a seed.
func notUserKey(key string) error {
	if strings.HasPrefix(key, "S") {
		return errors.New("the key given is a seed (S…), not a public user nkey (U…): pass the public key tend agent enroll printed, and keep the seed on the host")
	}
	return errors.New("the key given is not a public user nkey (U…)")
}
