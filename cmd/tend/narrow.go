package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tend-sh/tend/core/hostmatch"
	"github.com/tend-sh/tend/core/planner"
)

// hostsFlag is --hosts, the host name globs a command is narrowed to.
type hostsFlag struct {
	value string
	// patterns are the parsed globs, set by Validate; none selects all.
	patterns hostmatch.Patterns
}

func (h *hostsFlag) register(cmd *cobra.Command, what string) {
	cmd.Flags().StringVar(&h.value, "hosts", "", "comma-separated host name patterns (globs, e.g. 'acme_*,web_?') to "+what+"; default every targeted host")
}

// Validate parses the patterns.
func (h *hostsFlag) Validate() error {
	ps, err := hostmatch.Parse(h.value)
	if err != nil {
		return err
	}
	h.patterns = ps
	return nil
}

// staleFlag is --stale-after, how old a snapshot may be before the plan
// warns that it is stale.
type staleFlag struct{ after time.Duration }

func (s *staleFlag) register(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&s.after, "stale-after", planner.DefaultStaleAfter,
		"warn about every host whose snapshot was scanned longer than this before the plan's time (e.g. 6h, 72h; 0 never warns)")
}

// Validate refuses a negative duration.
func (s *staleFlag) Validate() error {
	if s.after < 0 {
		return fmt.Errorf("--stale-after %s: want a duration of 0 or more, e.g. 24h", s.after)
	}
	return nil
}
