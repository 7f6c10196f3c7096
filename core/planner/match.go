package planner

import (
	"path"
	"strings"

	"github.com/tend-sh/tend/core/config"
)

// matcher is a compiled shell-style glob: most patterns in practice are exact
// names or "prefix*", which need no path.Match call.
type matcher struct {
	glob   string
	exact  bool
	prefix bool
	text   string // exact name or prefix
}

func compile(g string) matcher {
	meta := strings.IndexAny(g, "*?[\\")
	switch {
	case meta < 0:
		return matcher{glob: g, exact: true, text: g}
	case meta == len(g)-1 && g[meta] == '*':
		return matcher{glob: g, prefix: true, text: g[:meta]}
	}
	return matcher{glob: g}
}

func (m matcher) match(name string) bool {
	switch {
	case m.exact:
		return name == m.text
	case m.prefix:
		return strings.HasPrefix(name, m.text)
	}
	ok, _ := path.Match(m.glob, name)
	return ok
}

func compileAll(ps []config.Pattern) []matcher {
	out := make([]matcher, len(ps))
	for i, p := range ps {
		out[i] = compile(p.Glob)
	}
	return out
}

// firstMatch returns the first pattern matching name, or "".
func firstMatch(ms []matcher, name string) (string, bool) {
	for _, m := range ms {
		if m.match(name) {
			return m.glob, true
		}
	}
	return "", false
}
