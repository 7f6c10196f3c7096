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

// rejecter is one reject pattern: a package name pattern and, for
// "name=version", a pattern of the versions rejected.
type rejecter struct {
	text    string // as written, for the reason
	name    matcher
	version *matcher
}

func compileRejects(ps []config.Pattern) []rejecter {
	out := make([]rejecter, len(ps))
	for i, p := range ps {
		out[i] = rejecter{text: p.Glob, name: compile(p.Glob)}
		if p.Version != "" {
			v := compile(p.Version)
			out[i].text, out[i].version = p.Glob+"="+p.Version, &v
		}
	}
	return out
}

// firstReject returns the first reject pattern that covers version of
// pkg: a name-only pattern covers every version.
func firstReject(rs []rejecter, pkg, version string) (string, bool) {
	for _, r := range rs {
		if r.name.match(pkg) && (r.version == nil || r.version.match(version)) {
			return r.text, true
		}
	}
	return "", false
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
