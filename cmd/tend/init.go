package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/core/render/diagnostics"
	"github.com/tend-sh/tend/plugins/lockfile"
)

func newInit(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Find the providers the configuration needs and lock their checksums",
		Long: `Finds the provider binary (tend-provider-NAME) of every provider the policies
use — in $TEND_PLUGIN_DIR, CONFIG/.tend/providers, or next to the tend
executable, in that order — starts each to ask its version, checks it against
required_providers, and writes .tend.lock.hcl with each binary's version,
protocol and sha256. Commit the lock file: tend refuses to start a provider
binary whose checksum differs from it, naming both hashes.`,
		Example: `  tend init
  TEND_PLUGIN_DIR=/opt/tend/providers tend init -C clients/acme`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			results, err := lockfile.Init(g.ctx, cfg, g.log)
			if err != nil {
				return err
			}
			return render.Locked(g.stdout, results, lockfile.FileName)
		},
	}
}

// loadConfig loads the configuration, printing diagnostics; errors stop the
// command with exit status 1.
func loadConfig(g *globals) (*config.Config, error) {
	cfg, diags, err := engine.Load(g.dir)
	var sources map[string][]byte
	if cfg != nil {
		sources = cfg.Sources
	}
	if werr := diagnostics.Write(g.stderr, diags, sources); werr != nil {
		return nil, werr
	}
	if err != nil {
		fmt.Fprintln(g.stderr, "Nothing was done: fix the configuration errors above.")
		return nil, exitError{1}
	}
	return cfg, nil
}
