package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Gap is a part of the configuration that selects no host, or a host
// nothing selects: hosts that silently drop out of patching. Where is the
// block's position ("file:line:col").
type Gap struct {
	Where string
	// Summary is the diagnostic's summary ("Group matches no host").
	Summary string
	// Text says what is wrong, as a sentence without a final period.
	Text string
	// Host is the host no policy targets, empty for groups and policies.
	Host  string
	Range hcl.Range
}

// Gaps returns, in order of groups, policies and hosts (each sorted by
// name), the groups whose selector matches no host, the policies that
// target no host and the hosts no policy targets. tend validate, plan and
// report warn about each.
func Gaps(c *Config) []Gap {
	var out []Gap
	for _, name := range slices.Sorted(maps.Keys(c.Groups)) {
		g := c.Groups[name]
		if c.groupEmpty(g) {
			out = append(out, Gap{Where: pos(g.DeclRange), Summary: "Group matches no host", Range: g.DeclRange,
				Text: fmt.Sprintf("group %q matches no host (%s)%s", g.Name, selectorText(g.Match), c.labelHint(g.Match))})
		}
	}
	targeted := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(c.Policies)) {
		p := c.Policies[name]
		for _, h := range p.Hosts {
			targeted[h] = true
		}
		if len(p.Hosts) == 0 {
			out = append(out, Gap{Where: pos(p.DeclRange), Summary: "Policy targets no host", Range: p.DeclRange,
				Text: fmt.Sprintf("policy %q targets no host: its targets select none, so it patches nothing", p.Name)})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Hosts)) {
		if h := c.Hosts[name]; !targeted[name] {
			out = append(out, Gap{Where: pos(h.DeclRange), Summary: "Host not targeted", Range: h.DeclRange, Host: name,
				Text: fmt.Sprintf("no policy targets host %q: tend never patches it, and reports count it ungoverned", name)})
		}
	}
	return out
}

// GapWarnings returns Gaps as warning diagnostics, for tend validate.
func GapWarnings(c *Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, g := range Gaps(c) {
		detail := capitalize(g.Text)
		if !strings.HasSuffix(detail, "?") {
			detail += "."
		}
		diags = append(diags, warningAt(g.Range, g.Summary, detail))
	}
	return diags
}

func (c *Config) groupEmpty(g *Group) bool {
	for _, h := range c.Hosts {
		if g.Matches(h) {
			return false
		}
	}
	return true
}

// selectorText is `client = "fabrikan"`, keys sorted.
func selectorText(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s = %q", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// labelHint suggests, for the first label of the selector no host has with
// that value, the closest value hosts have: "; did you mean client =
// "fabrikam"?".
func (c *Config) labelHint(match map[string]string) string {
	for _, k := range slices.Sorted(maps.Keys(match)) {
		values := map[string]bool{}
		for _, h := range c.Hosts {
			if v, ok := h.Labels[k]; ok {
				values[v] = true
			}
		}
		if values[match[k]] {
			continue
		}
		if len(values) == 0 {
			return fmt.Sprintf("; no host has the label %q", k)
		}
		if s := suggest(match[k], slices.Sorted(maps.Keys(values))); s != "" {
			return fmt.Sprintf("; did you mean %s = %q?", k, s)
		}
		return ""
	}
	return ""
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
