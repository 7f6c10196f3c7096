package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/hostmatch"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/core/session"
)

// scanFlags are the flags of tend scan.
type scanFlags struct {
	hosts       hostsFlag
	out         string
	json        bool
	concurrency int
}

// Validate checks that every --hosts pattern is a valid glob, and
// --concurrency.
func (f *scanFlags) Validate() error {
	if f.concurrency < 1 {
		return fmt.Errorf("--concurrency %d: want at least 1", f.concurrency)
	}
	return f.hosts.Validate()
}

func newScan(g *globals) *cobra.Command {
	f := &scanFlags{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Scan hosts and write inventory snapshots",
		Long: `Scans every host a policy targets (or those --hosts selects) with the providers
of the policies that target it, and writes one snapshot per host in the
contract format: OUT/<host>/inventory.json, the layout tend plan --inventory
OUT reads. A host that cannot be scanned is reported and does not stop the
others; the exit status is 1 if any failed.

--concurrency hosts are scanned at once (default 8).

Each snapshot also records the transaction the host's plan as of now would
be (its provider resolves the actions read-only, apt with apt-get
--simulate), so offline plans from the snapshots can check dependencies.`,
		Example: `  tend scan
  tend scan --hosts 'acme_*' --out snapshots
  tend scan --json | jq -r '.hosts[] | select(.status == "failed") | .host'`,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return f.Validate() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runScan(g, f)
		},
	}
	f.hosts.register(cmd, "scan")
	cmd.Flags().BoolVar(&f.json, "json", false, "print what was scanned as one JSON document on stdout: each host's status, scan time, providers and update count, or its error (per-host lines stay on stderr)")
	cmd.Flags().StringVar(&f.out, "out", "", "directory for the snapshots (default CONFIG/"+inventory.DefaultDir+")")
	cmd.Flags().IntVar(&f.concurrency, "concurrency", session.DefaultScanParallel, "how many hosts are scanned at once")
	return cmd
}

func runScan(g *globals, f *scanFlags) error {
	cfg, err := loadConfig(g)
	if err != nil {
		return err
	}
	out := f.out
	if out == "" {
		out = filepath.Join(cfg.Dir, inventory.DefaultDir)
	}
	ps, err := session.OpenProviders(cfg, g.log)
	if err != nil {
		return err
	}
	defer ps.Close()
	db, _ := engine.Vulns(cfg)
	snaps, err := session.Scan(g.ctx, cfg, ps, session.ScanOptions{Hosts: f.hosts.patterns, OutDir: out, Parallel: f.concurrency, Progress: scanProgress(g, scanTotal(cfg, f.hosts.patterns)), Annotate: engine.Annotator(db)})
	engine.RecordResolutions(g.ctx, cfg, ps, snaps, out, time.Now(), g.log)
	if f.json {
		failed := session.HostErrors(err)
		if werr := render.ScanJSON(g.stdout, out, snaps, failed); werr != nil {
			return werr
		}
		if len(failed) > 0 {
			return exitError{1}
		}
		return err
	}
	if werr := render.Scanned(g.stdout, len(snaps), out); werr != nil {
		return werr
	}
	if failed := session.FailedHosts(err); len(failed) > 0 {
		if werr := render.ScanFailed(g.stderr, failed); werr != nil {
			return werr
		}
		return exitError{1}
	}
	return err
}

// scanProgress shows the progress of a scan of total hosts (0: not known)
// on stderr: a line per host, and on a terminal a status line redrawn in
// place.
func scanProgress(g *globals, total int) func(string, error) {
	return render.ScanProgress(g.stderr, total, progressOptions(g.stderr))
}

// scanTotal counts the hosts a scan with these patterns reaches: those a
// policy targets.
func scanTotal(cfg *config.Config, patterns hostmatch.Patterns) int {
	hosts := map[string]bool{}
	for _, p := range cfg.Policies {
		for _, h := range p.Hosts {
			if patterns.Match(h) {
				hosts[h] = true
			}
		}
	}
	return len(hosts)
}
