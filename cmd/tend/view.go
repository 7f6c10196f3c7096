package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/plandiff"
	"github.com/tend-sh/tend/core/render"
)

// viewFlags choose how a plan is rendered: human text (default), JSON or
// Markdown.
type viewFlags struct {
	json     bool
	markdown bool
	verbose  bool
}

func (v *viewFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&v.json, "json", false, "print the plan as JSON (the documented contract) on stdout")
	fl.BoolVar(&v.markdown, "markdown", false, "print the plan as Markdown for a pull-request comment (always under 65,535 characters)")
	fl.BoolVarP(&v.verbose, "verbose", "v", false, "list every skipped update instead of counts per reason")
}

// Validate refuses two views at once.
func (v *viewFlags) Validate() error {
	if v.json && v.markdown {
		return errors.New("--json and --markdown exclude each other")
	}
	return nil
}

func (v *viewFlags) human() bool { return !v.json && !v.markdown }

// viewExtras are what a view can show beyond the plan itself.
type viewExtras struct {
	// base, when not nil, is the comparison with the base configuration's
	// plan (text and Markdown), named baseLabel.
	base      *plandiff.Delta
	baseLabel string
	// clients maps hosts to their "client" label (Markdown).
	clients map[string]string
}

// render writes the plan in the chosen view.
func (v *viewFlags) render(g *globals, sp *model.SavedPlan, x viewExtras) error {
	switch {
	case v.json:
		for _, w := range sp.Warnings {
			printWarning(g, w)
		}
		return render.JSONWarned(g.stdout, sp.Plan, sp.Warnings)
	case v.markdown:
		return render.Markdown(g.stdout, sp.Plan, sp.Warnings, render.MarkdownOptions{Base: x.base, BaseLabel: x.baseLabel, Clients: x.clients})
	}
	o := render.TextOptions{Color: g.color(g.stdout), Verbose: v.verbose}
	if err := render.Text(g.stdout, sp.Plan, sp.Warnings, o); err != nil {
		return err
	}
	if x.base != nil {
		if err := render.DeltaText(g.stdout, x.base, x.baseLabel, o); err != nil {
			return err
		}
	}
	return render.PlanErrors(g.stderr, sp.Plan)
}

func printWarning(g *globals, w model.Warning) {
	if w.Where != "" {
		fmt.Fprintf(g.stderr, "%s: warning: %s\n", w.Where, w.Message)
		return
	}
	fmt.Fprintf(g.stderr, "warning: %s\n", w.Message)
}
