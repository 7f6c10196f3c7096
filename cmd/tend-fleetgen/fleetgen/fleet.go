package fleetgen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"time"
)

// Fixed times, so that the output never depends on the clock: updates were
// released in the 30 days before releaseEpoch, and every host was scanned at
// scannedAt.
var (
	releaseEpoch = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	scannedAt    = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
)

// The layout of the output directory. ConfigDir holds the configuration
// (fleet.tend.hcl and the host list hosts.json) and SnapshotsDir one
// <host>/inventory.json per host, the layout `tend plan --inventory` reads.
const (
	ConfigDir    = "config"
	SnapshotsDir = "snapshots"
)

const (
	configFile = ConfigDir + "/fleet.tend.hcl"
	hostsFile  = ConfigDir + "/hosts.json"
)

// Options says what fleet to generate.
type Options struct {
	Hosts     int    // number of hosts, at least 1
	Installed int    // installed packages per host, at least 2 (nginx and linux-image-amd64)
	Available int    // out-of-date packages per host, from 0 to Installed
	Seed      uint64 // seed of the random generator

	// Progress, if set, is called after each host's snapshot is written,
	// with the number of hosts done so far.
	Progress func(done int)
}

// WriteFunc stores one generated file. path is relative to the output
// directory and separated by slashes, like "snapshots/acme_web_00001/inventory.json".
type WriteFunc func(path string, data []byte) error

// DirWriter returns a WriteFunc that writes files under dir, creating
// directories as needed.
func DirWriter(dir string) WriteFunc {
	return func(p string, data []byte) error {
		name := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		return os.WriteFile(name, data, 0o644)
	}
}

// snapshotPath returns where Generate writes host's snapshot.
func snapshotPath(host string) string {
	return path.Join(SnapshotsDir, host, "inventory.json")
}

// Generate writes the fleet described by opts through w: the configuration,
// the host list, then one snapshot per host in host-name order. Only one host's
// snapshot is in memory at a time.
func Generate(opts Options, w WriteFunc) error {
	if err := opts.check(); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(opts.Seed, 0x7465_6e64)) // "tend"
	cat := newCatalog(r, opts.Installed)
	hosts := newHosts(r, opts.Hosts)

	if err := w(configFile, configHCL(opts, cat)); err != nil {
		return fmt.Errorf("write %s: %w", configFile, err)
	}
	data, err := hostsJSON(hosts)
	if err != nil {
		return fmt.Errorf("encode %s: %w", hostsFile, err)
	}
	if err := w(hostsFile, data); err != nil {
		return fmt.Errorf("write %s: %w", hostsFile, err)
	}

	g := newSnapshotGen(r, cat, opts)
	for i, h := range hosts {
		data, err := g.snapshot(h.Name)
		if err != nil {
			return fmt.Errorf("encode snapshot of %s: %w", h.Name, err)
		}
		p := snapshotPath(h.Name)
		if err := w(p, data); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		if opts.Progress != nil {
			opts.Progress(i + 1)
		}
	}
	return nil
}

func (o Options) check() error {
	var errs []error
	if o.Hosts < 1 {
		errs = append(errs, fmt.Errorf("hosts must be at least 1; got %d", o.Hosts))
	}
	if o.Installed < len(mandatory) {
		errs = append(errs, fmt.Errorf("installed must be at least %d (nginx and linux-image-amd64); got %d", len(mandatory), o.Installed))
	}
	if o.Available < 0 || o.Available > o.Installed {
		errs = append(errs, fmt.Errorf("available must be between 0 and installed (%d); got %d", o.Installed, o.Available))
	}
	return errors.Join(errs...)
}
