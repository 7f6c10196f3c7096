package agent

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tend-sh/tend/core/fleetauth"
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
	return fleetauth.UserSeed(filepath.Join(stateDir, SeedFile))
}
