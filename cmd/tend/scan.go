package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/session"
)

func newScan(g *globals) *cobra.Command {
	var hosts, out string
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Scan hosts and write inventory snapshots",
		Long: `Scans every host a policy targets (or those --hosts selects) with the providers
of the policies that target it, and writes one snapshot per host in the
contract format: OUT/<host>/inventory.json, the layout tend plan --inventory
OUT reads. A host that cannot be scanned is reported and does not stop the
others; the exit status is 1 if any failed.`,
		Example: `  tend scan
  tend scan --hosts 'acme_*' --out snapshots`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if out == "" {
				out = filepath.Join(cfg.Dir, inventory.DefaultDir)
			}
			ps, err := session.OpenProviders(cfg, g.log)
			if err != nil {
				return err
			}
			defer ps.Close()
			var patterns []string
			if hosts != "" {
				patterns = strings.Split(hosts, ",")
			}
			snaps, err := session.Scan(g.ctx, cfg, ps, session.ScanOptions{Hosts: patterns, OutDir: out, Progress: scanProgress(g)})
			fmt.Fprintf(g.stdout, "Scanned %d %s into %s.\n", len(snaps), plural(len(snaps), "host", "hosts"), out)
			if failed := session.FailedHosts(err); len(failed) > 0 {
				fmt.Fprintf(g.stderr, "%d %s could not be scanned: %s\n", len(failed), plural(len(failed), "host", "hosts"), strings.Join(failed, ", "))
				return exitError{1}
			}
			if err != nil {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&hosts, "hosts", "", "comma-separated host name patterns (globs) to scan; default every targeted host")
	cmd.Flags().StringVar(&out, "out", "", "directory for the snapshots (default CONFIG/"+inventory.DefaultDir+")")
	return cmd
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
