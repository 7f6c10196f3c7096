package main

import (
	"maps"
	"slices"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/lockfile"
)

func newProviders(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "providers",
		Short: "List installed provider plugins, their versions and protocol",
		Long: `Lists the provider binaries tend finds ($TEND_PLUGIN_DIR, CONFIG/.tend/providers,
next to tend), starting each to ask its version, and says whether the lock
file (.tend.lock.hcl) records it with the same checksum.`,
		Example: `  tend providers -C clients/acme
  tend providers --json | jq -r '.providers[] | select(.lock != "locked") | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			found, err := findProviders(g)
			if err != nil {
				return err
			}
			if asJSON {
				return render.ProvidersJSON(g.stdout, found)
			}
			return render.Providers(g.stdout, found)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the list as JSON: name, version, start_error, protocol, checksum, lock (locked, not_locked, mismatch), locked_checksum, path")
	return cmd
}

// findProviders describes each provider binary found, starting it to ask
// its version and comparing its checksum with the lock file's.
func findProviders(g *globals) ([]render.ProviderInfo, error) {
	locks, err := lockfile.Read(g.dir)
	if err != nil {
		return nil, err
	}
	found := loader.Available(loader.SearchDirs(g.dir))
	var out []render.ProviderInfo
	for _, n := range slices.Sorted(maps.Keys(found)) {
		path := found[n]
		sum, err := loader.Checksum(path)
		if err != nil {
			return nil, err
		}
		info := render.ProviderInfo{Name: n, Protocol: loader.ProtocolVersion, Checksum: sum, Lock: render.LockNone, Path: path}
		if l, ok := locks[n]; ok {
			info.Lock = render.LockLocked
			if l.Hash != sum {
				info.Lock, info.LockedChecksum = render.LockMismatch, l.Hash
			}
		}
		info.Version, info.StartError = providerVersion(g, n, path, sum)
		out = append(out, info)
	}
	return out, nil
}

// providerVersion starts the provider to ask its version: "" when it does
// not say, or why it failed to start.
func providerVersion(g *globals, name, path, sum string) (version, startErr string) {
	p, err := loader.Launch(loader.Options{Name: name, Path: path, Checksum: sum, Logger: g.log})
	if err != nil {
		return "", err.Error()
	}
	defer p.Close()
	if s, err := p.Schema(g.ctx); err == nil {
		return s.Version, ""
	}
	return "", ""
}
