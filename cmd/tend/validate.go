package main

import (
	"time"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/core/render/diagnostics"
	"github.com/tend-sh/tend/core/session"
)

func newValidate(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the configuration for errors",
		Long: `Loads every *.tend.hcl file under the configuration directory and checks
it: syntax, unknown blocks and attributes, values (cron schedules, durations,
time zones, dates), references (host.x, group.y, window.z) and conflicts such
as a host targeted by two policies for the same provider.

Only files inside the configuration directory are read (no absolute host
list paths, no "..", no symbolic links leading out), within the limits of
docs/language.md ("Limits"): 1 MiB per *.tend.hcl, 32 MiB per host list,
nesting depth 64. A file outside is named, never quoted.

Every problem is reported, not just the first, as file:line:col with the
offending source line. Exit status 1 when there are errors.

Each provider the policies use then checks its provider block and the
policies' pins (an apt pin must be a Debian package name and version), when
the lock file records it and its binary is in $TEND_PLUGIN_DIR or next to
tend; CONFIG/.tend/providers is not run, as it comes with the configuration.
A provider that cannot be consulted is a warning, not an error.

Warnings also say what tend plan would warn about (approvals, exclusions and suspensions
whose until has passed; groups and policies that select no host, and hosts
no policy targets, which tend would never patch), and when the lock file is missing or does not
record a provider the policies use: tend serve and tend apply refuse such a
configuration until tend init writes the lock and it is committed.`,
		Example: `  tend validate
  tend validate -C clients/acme
  tend validate --json | jq '.diagnostics[] | select(.severity == "error")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, diags, err := engine.Load(g.dir)
			if err == nil {
				diags = append(diags, config.GapWarnings(cfg)...)
				diags = append(diags, config.Expired(cfg, time.Now())...)
				diags = append(diags, session.ValidateProviders(g.ctx, cfg, nil)...)
				if diags.HasErrors() {
					err = engine.ErrConfig
				}
			}
			if asJSON {
				if werr := diagnostics.WriteJSON(g.stdout, diags, ""); werr != nil {
					return werr
				}
				if err != nil {
					return exitError{1}
				}
				return nil
			}
			var sources map[string][]byte
			if cfg != nil {
				sources = cfg.Sources
			}
			if werr := diagnostics.Write(g.stderr, diags, sources); werr != nil {
				return werr
			}
			if err != nil {
				if werr := render.ConfigErrors(g.stderr, len(diags.Errs())); werr != nil {
					return werr
				}
				return exitError{1}
			}
			return render.ConfigValid(g.stdout, render.ConfigCounts{Files: len(cfg.Sources), Hosts: len(cfg.Hosts), Policies: len(cfg.Policies)})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the diagnostics as one JSON document on stdout (format_version, valid, error_count, warning_count, diagnostics with ranges) instead of text on stderr")
	return cmd
}
