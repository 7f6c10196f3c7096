package main

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/lockfile"
)

func newProviders(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "providers",
		Short: "List installed provider plugins, their versions and protocol",
		Long: `Lists the provider binaries tend finds ($TEND_PLUGIN_DIR, CONFIG/.tend/providers,
next to tend), starting each to ask its version, and says whether the lock
file (.tend.lock.hcl) records it with the same checksum.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			locks, err := lockfile.Read(g.dir)
			if err != nil {
				return err
			}
			found := loader.Available(loader.SearchDirs(g.dir))
			names := make([]string, 0, len(found))
			for n := range found {
				names = append(names, n)
			}
			sort.Strings(names)
			if len(names) == 0 {
				fmt.Fprintln(g.stdout, "No providers found. Put tend-provider-NAME binaries next to tend, in .tend/providers or in $TEND_PLUGIN_DIR.")
				return nil
			}
			for _, n := range names {
				path := found[n]
				sum, err := loader.Checksum(path)
				if err != nil {
					return err
				}
				version := "?"
				if p, err := loader.Launch(loader.Options{Name: n, Path: path, Checksum: sum, Logger: g.log}); err != nil {
					version = "failed to start: " + err.Error()
				} else {
					if s, err := p.Schema(g.ctx); err == nil {
						version = s.Version
					}
					p.Close()
				}
				lock := "not locked"
				if l, ok := locks[n]; ok {
					lock = "locked"
					if l.Hash != sum {
						lock = "lock file has another checksum (" + l.Hash + ")"
					}
				}
				fmt.Fprintf(g.stdout, "%-14s %-10s protocol %d  %s  %s\n  %s\n", n, version, loader.ProtocolVersion, sum, lock, path)
			}
			return nil
		},
	}
}
