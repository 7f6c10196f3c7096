package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/lockfile"
)

// The closing lines of the commands that print little: tend validate,
// scan, fmt and init, and the note under a plan whose hosts have errors.

// ConfigCounts are what tend validate counts in a valid configuration.
type ConfigCounts struct {
	Files, Hosts, Policies int
}

// ConfigValid writes tend validate's line for a valid configuration.
func ConfigValid(w io.Writer, c ConfigCounts) error {
	_, err := fmt.Fprintf(w, "The configuration is valid: %d %s, %d %s, %d %s.\n",
		c.Files, words.Plural(c.Files, "file", "files"),
		c.Hosts, words.Plural(c.Hosts, "host", "hosts"),
		c.Policies, words.Plural(c.Policies, "policy", "policies"))
	return err
}

// ConfigErrors writes tend validate's count of errors, under the
// diagnostics.
func ConfigErrors(w io.Writer, n int) error {
	_, err := fmt.Fprintf(w, "%d %s found.\n", n, words.Plural(n, "error", "errors"))
	return err
}

// Scanned writes how many hosts tend scan wrote snapshots of, and where.
func Scanned(w io.Writer, hosts int, dir string) error {
	_, err := fmt.Fprintf(w, "Scanned %d %s into %s.\n", hosts, words.Plural(hosts, "host", "hosts"), dir)
	return err
}

// ScanFailed names the hosts a scan could not reach; nothing when none.
func ScanFailed(w io.Writer, hosts []string) error {
	if len(hosts) == 0 {
		return nil
	}
	_, err := fmt.Fprintf(w, "%d %s could not be scanned: %s\n", len(hosts), words.Plural(len(hosts), "host", "hosts"), strings.Join(hosts, ", "))
	return err
}

// Unformatted writes tend fmt --check's count of files that need
// formatting.
func Unformatted(w io.Writer, files int) error {
	_, err := fmt.Fprintf(w, "%d %s not formatted; run tend fmt.\n", files, words.Plural(files, "file is", "files are"))
	return err
}

// PlanErrors writes, when hosts of the plan have errors, how many: the
// note under the text view, which lists them. Nothing when none has.
func PlanErrors(w io.Writer, p *model.Plan) error {
	n := p.HostsWithErrors()
	if n == 0 {
		return nil
	}
	_, err := fmt.Fprintf(w, "%d %s; see above.\n", n, words.Plural(n, "host has errors in its plan", "hosts have errors in their plan"))
	return err
}

// Locked writes what tend init locked: each provider's version, hash,
// protocol and binary, and the lock file written.
func Locked(w io.Writer, results []lockfile.InitResult, lockFile string) error {
	var b strings.Builder
	for _, r := range results {
		state := "unchanged"
		if r.Changed {
			state = "locked"
		}
		fmt.Fprintf(&b, "%-14s %s %s (protocol %d) %s\n", r.Lock.Name, r.Lock.Version, r.Lock.Hash, r.Lock.Protocol, state)
		fmt.Fprintf(&b, "%-14s from %s\n", "", r.Path)
	}
	fmt.Fprintf(&b, "Wrote %s with %d %s.\n", lockFile, len(results), words.Plural(len(results), "provider", "providers"))
	_, err := io.WriteString(w, b.String())
	return err
}
