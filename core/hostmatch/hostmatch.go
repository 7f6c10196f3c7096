// Package hostmatch narrows commands to hosts by name: --hosts takes a
// comma-separated list of glob patterns (path.Match syntax: *, ?, [a-z]),
// the same on tend scan, plan, apply and report.
package hostmatch

import (
	"fmt"
	"path"
	"strings"
)

// Patterns is a list of host name globs; empty selects every host.
type Patterns []string

// Parse splits a --hosts value at commas, dropping blanks around each
// pattern and empty ones, and checks that each is a valid glob.
func Parse(s string) (Patterns, error) {
	var out Patterns
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("--hosts %q: %w", p, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Match reports whether host is selected: no patterns, or one matches.
func (ps Patterns) Match(host string) bool {
	if len(ps) == 0 {
		return true
	}
	for _, p := range ps {
		if ok, _ := path.Match(p, host); ok {
			return true
		}
	}
	return false
}
