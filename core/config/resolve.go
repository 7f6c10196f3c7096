package config

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/tend-sh/tend/core/internal/words"
)

// resolve checks references across files once everything is decoded, and
// computes each policy's hosts.
func resolve(c *Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(c.Policies) {
		p := c.Policies[name]
		diags = append(diags, c.checkProvider(p)...)
		hosts, more := c.hostsOf(p.Targets)
		diags = append(diags, more...)
		p.Hosts = sortedKeys(hosts)
		for _, w := range p.Windows {
			if _, ok := c.Windows[w.Name]; !ok {
				diags = append(diags, undeclared(w, sortedKeys(c.Windows)))
			}
		}
		for _, ex := range p.Exclude {
			if ex.Targets != nil {
				ex.Hosts, more = c.hostsOf(ex.Targets)
				diags = append(diags, more...)
			}
		}
		if p.Rollout != nil {
			diags = append(diags, c.resolveRings(p, hosts)...)
		}
	}
	for _, name := range sortedKeys(c.Freezes) {
		f := c.Freezes[name]
		if f.Window != nil {
			if w, ok := c.Windows[f.Window.Name]; !ok {
				diags = append(diags, undeclared(*f.Window, sortedKeys(c.Windows)))
			} else {
				f.Schedule = w.Schedule
			}
		}
		if f.Targets != nil {
			var more hcl.Diagnostics
			f.Hosts, more = c.hostsOf(f.Targets)
			diags = append(diags, more...)
		}
	}
	diags = append(diags, c.resolveAdvisories()...)
	return append(diags, c.checkOverlaps()...)
}

// hostsOf resolves host and group references to a set of host names,
// reporting unknown names at the reference.
func (c *Config) hostsOf(refs []Ref) (map[string]bool, hcl.Diagnostics) {
	out := map[string]bool{}
	var diags hcl.Diagnostics
	for _, r := range refs {
		switch r.Kind {
		case "host":
			if _, ok := c.Hosts[r.Name]; !ok {
				diags = append(diags, undeclared(r, sortedKeys(c.Hosts)))
				continue
			}
			out[r.Name] = true
		case "group":
			g, ok := c.Groups[r.Name]
			if !ok {
				diags = append(diags, undeclared(r, sortedKeys(c.Groups)))
				continue
			}
			for name, h := range c.Hosts {
				if g.Matches(h) {
					out[name] = true
				}
			}
		}
	}
	return out, diags
}

// undeclared reports a reference to a name nobody declared, suggesting the
// closest declared one.
func undeclared(r Ref, declared []string) *hcl.Diagnostic {
	detail := fmt.Sprintf("No %s named %q is declared.", r.Kind, r.Name)
	if s := suggest(r.Name, declared); s != "" {
		detail += fmt.Sprintf(" Did you mean %s.%s?", r.Kind, s)
	}
	return errorAt(r.Range, fmt.Sprintf("Reference to undeclared %s", r.Kind), "%s", detail)
}

// checkProvider reports a policy's provider that is neither first-party
// nor declared.
func (c *Config) checkProvider(p *Policy) hcl.Diagnostics {
	if p.Provider == "" {
		return nil
	}
	if _, ok := c.Providers[p.Provider]; ok || IsBuiltinProvider(p.Provider) {
		return nil
	}
	if c.Tend != nil {
		if _, ok := c.Tend.RequiredProviders[p.Provider]; ok {
			return nil
		}
	}
	known := sortedKeys(builtinProviderAttrs)
	detail := fmt.Sprintf("Provider %q is neither first-party (%s) nor declared in a provider block or required_providers.",
		p.Provider, quoteList(known))
	if s := suggest(p.Provider, append(known, sortedKeys(c.Providers)...)); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	}
	return hcl.Diagnostics{errorAt(p.ProviderRange, "Unknown provider", "%s", detail)}
}

// resolveRings resolves the targets of a policy's rings, each host in at
// most one ring and among the policy's hosts.
func (c *Config) resolveRings(p *Policy, policyHosts map[string]bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	owner := map[string]string{}
	for _, ring := range p.Rollout.Rings {
		if ring.Targets == nil {
			continue
		}
		var more hcl.Diagnostics
		ring.Hosts, more = c.hostsOf(ring.Targets)
		diags = append(diags, more...)
		for _, h := range sortedKeys(ring.Hosts) {
			switch prev, taken := owner[h]; {
			case !policyHosts[h]:
				diags = append(diags, errorAt(ring.DeclRange, "Ring host outside policy",
					"Ring %q of policy %q names host %q, which the policy's targets do not include.", ring.Name, p.Name, h))
			case taken:
				diags = append(diags, errorAt(ring.DeclRange, "Host in two rings",
					"Host %q is in ring %q and ring %q of policy %q; a host belongs to one ring.", h, prev, ring.Name, p.Name))
			default:
				owner[h] = ring.Name
			}
		}
	}
	return diags
}

// checkOverlaps reports hosts governed by two policies for the same provider.
func (c *Config) checkOverlaps() hcl.Diagnostics {
	var diags hcl.Diagnostics
	byProvider := map[string]map[string]*Policy{}
	for _, name := range sortedKeys(c.Policies) {
		p := c.Policies[name]
		if byProvider[p.Provider] == nil {
			byProvider[p.Provider] = map[string]*Policy{}
		}
		if clashes, first := claimHosts(byProvider[p.Provider], p); len(clashes) > 0 {
			diags = append(diags, errorAt(p.TargetsRange, "Host in two policies",
				"%s %s targeted by policy %q (%s) and policy %q for provider %q; a host has at most one policy per provider.",
				words.Plural(len(clashes), "Host", "Hosts"), listHosts(clashes), first.Name, pos(first.DeclRange), p.Name, p.Provider))
		}
	}
	return diags
}

// claimHosts records p as the owner of its hosts that have none in owners
// yet, and returns the others, sorted, with the policy that owns the first.
func claimHosts(owners map[string]*Policy, p *Policy) (clashes []string, first *Policy) {
	for _, h := range p.Hosts {
		if prev, ok := owners[h]; ok {
			clashes = append(clashes, h)
			if first == nil {
				first = prev
			}
			continue
		}
		owners[h] = p
	}
	sort.Strings(clashes)
	return clashes, first
}

func listHosts(hs []string) string {
	const max = 5
	s := quoteList(hs[:min(len(hs), max)])
	if len(hs) > max {
		s += fmt.Sprintf(" and %d more", len(hs)-max)
	}
	if len(hs) == 1 {
		return s + " is"
	}
	return s + " are"
}

// suggest returns the declared name closest to name, if close enough.
func suggest(name string, declared []string) string {
	best, bestDist := "", 3
	for _, c := range declared {
		if dist := levenshtein(name, c); dist < bestDist {
			best, bestDist = c, dist
		}
	}
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
