package lockfile

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tend-sh/tend/core/config"
)

// Needed lists the providers the policies use, sorted: those the lock file
// must record.
func Needed(cfg *config.Config) []string {
	set := map[string]bool{}
	for _, p := range cfg.Policies {
		set[p.Provider] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// Check reports, without starting anything, the providers the policies
// use that the lock file does not record: a configuration whose lock file
// was not updated (tend init) and committed with it.
func Check(cfg *config.Config) error {
	locks, err := Read(cfg.Dir)
	if err != nil {
		return err
	}
	return CheckLocks(cfg, locks)
}

// CheckLocks is Check against locks already read.
func CheckLocks(cfg *config.Config, locks map[string]Lock) error {
	var missing []string
	for _, name := range Needed(cfg) {
		if _, ok := locks[name]; !ok {
			missing = append(missing, fmt.Sprintf("%q", name))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("provider %s %s not in %s: run tend init and commit the lock file with the configuration",
			strings.Join(missing, ", "), map[bool]string{true: "is", false: "are"}[len(missing) == 1], FileName)
	}
	return nil
}

// Entry returns the lock of provider name, or an error saying that tend
// init has not locked it.
func Entry(locks map[string]Lock, name string) (Lock, error) {
	lock, ok := locks[name]
	if !ok {
		return Lock{}, fmt.Errorf("provider %q is not in %s: run tend init", name, FileName)
	}
	return lock, nil
}
