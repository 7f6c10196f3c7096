package config

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/tend-sh/tend/core/internal/words"
)

// resolve checks references across files once everything is decoded, and
// computes each policy's hosts.
func (d *decoder) resolve() {
	c := d.cfg
	for _, name := range sortedKeys(c.Policies) {
		p := c.Policies[name]
		d.checkProvider(p)
		hosts := d.hostsOf(p.Targets)
		p.Hosts = sortedKeys(hosts)
		if p.Window != nil {
			if _, ok := c.Windows[p.Window.Name]; !ok {
				d.undeclared(*p.Window, sortedKeys(c.Windows))
			}
		}
		for _, ex := range p.Exclude {
			if ex.Targets != nil {
				ex.Hosts = d.hostsOf(ex.Targets)
			}
		}
		if p.Rollout != nil {
			d.resolveRings(p, hosts)
		}
	}
	d.checkOverlaps()
}

// hostsOf resolves host and group references to a set of host names,
// reporting unknown names at the reference.
func (d *decoder) hostsOf(refs []Ref) map[string]bool {
	out := map[string]bool{}
	for _, r := range refs {
		switch r.Kind {
		case "host":
			if _, ok := d.cfg.Hosts[r.Name]; !ok {
				d.undeclared(r, sortedKeys(d.cfg.Hosts))
				continue
			}
			out[r.Name] = true
		case "group":
			g, ok := d.cfg.Groups[r.Name]
			if !ok {
				d.undeclared(r, sortedKeys(d.cfg.Groups))
				continue
			}
			for name, h := range d.cfg.Hosts {
				if g.Matches(h) {
					out[name] = true
				}
			}
		}
	}
	return out
}

// undeclared reports a reference to a name nobody declared, suggesting the
// closest declared one.
func (d *decoder) undeclared(r Ref, declared []string) {
	detail := fmt.Sprintf("No %s named %q is declared.", r.Kind, r.Name)
	if s := suggest(r.Name, declared); s != "" {
		detail += fmt.Sprintf(" Did you mean %s.%s?", r.Kind, s)
	}
	d.errorf(r.Range, fmt.Sprintf("Reference to undeclared %s", r.Kind), "%s", detail)
}

func (d *decoder) checkProvider(p *Policy) {
	if p.Provider == "" {
		return
	}
	if _, ok := d.cfg.Providers[p.Provider]; ok || IsBuiltinProvider(p.Provider) {
		return
	}
	if d.cfg.Tend != nil {
		if _, ok := d.cfg.Tend.RequiredProviders[p.Provider]; ok {
			return
		}
	}
	known := sortedKeys(builtinProviderAttrs)
	detail := fmt.Sprintf("Provider %q is neither first-party (%s) nor declared in a provider block or required_providers.",
		p.Provider, quoteList(known))
	if s := suggest(p.Provider, append(known, sortedKeys(d.cfg.Providers)...)); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	}
	d.errorf(p.ProviderRange, "Unknown provider", "%s", detail)
}

func (d *decoder) resolveRings(p *Policy, policyHosts map[string]bool) {
	owner := map[string]string{}
	for _, ring := range p.Rollout.Rings {
		if ring.Targets == nil {
			continue
		}
		ring.Hosts = d.hostsOf(ring.Targets)
		for _, h := range sortedKeys(ring.Hosts) {
			switch prev, taken := owner[h]; {
			case !policyHosts[h]:
				d.errorf(ring.DeclRange, "Ring host outside policy",
					"Ring %q of policy %q names host %q, which the policy's targets do not include.", ring.Name, p.Name, h)
			case taken:
				d.errorf(ring.DeclRange, "Host in two rings",
					"Host %q is in ring %q and ring %q of policy %q; a host belongs to one ring.", h, prev, ring.Name, p.Name)
			default:
				owner[h] = ring.Name
			}
		}
	}
}

// checkOverlaps reports hosts governed by two policies for the same provider.
func (d *decoder) checkOverlaps() {
	byProvider := map[string]map[string]*Policy{}
	for _, name := range sortedKeys(d.cfg.Policies) {
		p := d.cfg.Policies[name]
		if byProvider[p.Provider] == nil {
			byProvider[p.Provider] = map[string]*Policy{}
		}
		owners := byProvider[p.Provider]
		var clashes []string
		var first *Policy
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
		if len(clashes) == 0 {
			continue
		}
		sort.Strings(clashes)
		rng := p.TargetsRange
		d.diags = append(d.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Host in two policies",
			Detail: fmt.Sprintf("%s %s targeted by policy %q (%s) and policy %q for provider %q; a host has at most one policy per provider.",
				words.Plural(len(clashes), "Host", "Hosts"), listHosts(clashes), first.Name, first.DeclRange.String(), p.Name, p.Provider),
			Subject: &rng,
		})
	}
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
