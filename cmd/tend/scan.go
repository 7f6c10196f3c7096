package main

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/core/session"
)

// scanFlags are the flags of tend scan.
type scanFlags struct {
	hosts       string
	out         string
	concurrency int
}

// Validate checks that every --hosts pattern is a valid glob, and
// --concurrency.
func (f *scanFlags) Validate() error {
	if f.concurrency < 1 {
		return fmt.Errorf("--concurrency %d: want at least 1", f.concurrency)
	}
	for _, p := range f.patterns() {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("--hosts %q: %w", p, err)
		}
	}
	return nil
}

// patterns are the --hosts globs; none scans every targeted host.
func (f *scanFlags) patterns() []string {
	if f.hosts == "" {
		return nil
	}
	return strings.Split(f.hosts, ",")
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
  tend scan --hosts 'acme_*' --out snapshots`,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return f.Validate() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runScan(g, f)
		},
	}
	cmd.Flags().StringVar(&f.hosts, "hosts", "", "comma-separated host name patterns (globs) to scan; default every targeted host")
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
	snaps, err := session.Scan(g.ctx, cfg, ps, session.ScanOptions{Hosts: f.patterns(), OutDir: out, Parallel: f.concurrency, Progress: scanProgress(g), Annotate: engine.Annotator(db)})
	engine.RecordResolutions(g.ctx, cfg, ps, snaps, out, time.Now(), g.log)
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

// scanProgress prints one line per scanned host on stderr.
func scanProgress(g *globals) func(string, error) {
	var mu sync.Mutex
	return func(host string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			fmt.Fprintf(g.stderr, "scan %s: failed: %v\n", host, err)
			return
		}
		fmt.Fprintf(g.stderr, "scan %s: ok\n", host)
	}
}
