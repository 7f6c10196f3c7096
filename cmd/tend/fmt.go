package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/render"
	"github.com/tend-sh/tend/core/render/diagnostics"
)

// fmtFlags are the flags of tend fmt; any combination is valid.
type fmtFlags struct {
	check bool
}

func newFmt(g *globals) *cobra.Command {
	f := &fmtFlags{}
	cmd := &cobra.Command{
		Use:   "fmt [--check]",
		Short: "Rewrite configuration files in canonical format",
		Long: `Rewrites every *.tend.hcl file under the configuration directory in the
canonical HCL style (indentation, aligned equals signs) and prints the name of
each file it changed. Files with syntax errors are reported and left alone.

With --check nothing is written: the files that would change are listed and
the exit status is 3 if there are any (use it in CI).`,
		Example: `  tend fmt
  tend fmt --check -C examples/msp-fleet`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runFmt(g, f)
		},
	}
	cmd.Flags().BoolVar(&f.check, "check", false, "list files that need formatting and exit 3 if any; change nothing")
	return cmd
}

func runFmt(g *globals, f *fmtFlags) error {
	files, err := config.Files(g.dir)
	if err != nil {
		return err
	}
	changed, failed := 0, false
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		out, diags := config.Format(file, src)
		if diags.HasErrors() {
			_ = diagnostics.Write(g.stderr, diags, map[string][]byte{file: src})
			failed = true
			continue
		}
		if bytes.Equal(out, src) {
			continue
		}
		changed++
		fmt.Fprintln(g.stdout, file)
		if f.check {
			continue
		}
		info, err := os.Stat(file)
		if err != nil {
			return err
		}
		if err := os.WriteFile(file, out, info.Mode().Perm()); err != nil {
			return err
		}
	}
	switch {
	case failed:
		return exitError{1}
	case f.check && changed > 0:
		if err := render.Unformatted(g.stderr, changed); err != nil {
			return err
		}
		return exitError{3}
	}
	return nil
}
