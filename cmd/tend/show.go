package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/savedplan"
)

func newShow(g *globals) *cobra.Command {
	v := &viewFlags{}
	cmd := &cobra.Command{
		Use:   "show FILE",
		Short: "Render a saved plan",
		Long: `Renders a plan saved with tend plan -out FILE, as text (default), as the
plan JSON contract (--json) or as Markdown for a pull-request comment
(--markdown). The saved file also records the configuration digest and each
host's scanned_at, which tend apply uses to refuse a stale plan.`,
		Example: `  tend plan --inventory snapshots -out plan.tendplan
  tend show plan.tendplan
  tend show --markdown plan.tendplan > comment.md`,
		Args:    cobra.ExactArgs(1),
		PreRunE: func(*cobra.Command, []string) error { return v.Validate() },
		RunE: func(cmd *cobra.Command, args []string) error {
			sp, err := readSaved(args[0])
			if err != nil {
				return err
			}
			return v.render(g, sp, viewExtras{})
		},
	}
	v.register(cmd)
	return cmd
}

// readSaved reads a plan file, saying how to make one when it is not.
func readSaved(path string) (*model.SavedPlan, error) {
	sp, err := savedplan.Read(path)
	var notPlan *savedplan.NotPlanError
	if errors.As(err, &notPlan) {
		return nil, fmt.Errorf("%w; write one with tend plan -out", err)
	}
	return sp, err
}
