package config

import (
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Advisory is an `advisory` block, the file tend advise writes: until it
// expires, the policy it names approves the updates of its packages that
// fix its CVE, on its targets (every host of the policy when absent), and
// puts them in the fast lane. It approves nothing else: a policy's other
// updates, and the same packages' updates that do not fix the CVE, are
// decided by the policy alone.
type Advisory struct {
	Name     string
	CVE      string
	Policy   Ref
	Packages []Pattern
	Targets  []Ref
	// Hosts are the resolved targets; nil means every host of the policy.
	Hosts     map[string]bool
	Until     *time.Time
	UntilText string
	DeclRange hcl.Range
}

var advisorySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "cve", Required: true}, {Name: "policy", Required: true}, {Name: "packages", Required: true},
		{Name: "targets"}, {Name: "until", Required: true},
	},
}

func decodeAdvisory(block *hcl.Block) (*Advisory, hcl.Diagnostics) {
	ad := &Advisory{Name: block.Labels[0], DeclRange: block.DefRange}
	content, diags := block.Body.Content(advisorySchema)
	for _, name := range sortedKeys(content.Attributes) {
		a := content.Attributes[name]
		var more hcl.Diagnostics
		switch name {
		case "cve":
			var s string
			if s, more = attrString(a); !more.HasErrors() {
				ad.CVE = strings.ToUpper(strings.TrimSpace(s))
				if !cveID.MatchString(ad.CVE) {
					more = append(more, errorAt(a.Expr.Range(), "Invalid CVE ID", "%q is not a CVE ID such as \"CVE-2024-3094\".", s))
				}
			}
		case "policy":
			ad.Policy, more = exprRef(a.Expr, "policy", "policy")
		case "packages":
			ad.Packages, more = attrPatterns(a)
			if !more.HasErrors() && len(ad.Packages) == 0 {
				more = append(more, errorAt(a.Expr.Range(), "Empty advisory packages", "An advisory names the packages whose fix it fast-tracks, such as [\"openssl\", \"libssl3\"]."))
			}
		case "targets":
			ad.Targets, more = attrRefs(a, "host", "group")
		case "until":
			ad.Until, ad.UntilText, more = attrDate(a)
		}
		diags = append(diags, more...)
	}
	return ad, diags
}

// ExpiredAt reports whether the advisory's until has passed.
func (ad *Advisory) ExpiredAt(now time.Time) bool { return ad.Until != nil && !now.Before(*ad.Until) }

// resolveAdvisories checks each advisory's policy and targets and adds its
// approval and fast lane to the policy: an approve block limited to the
// packages, the CVE, the targets and the expiry.
func (c *Config) resolveAdvisories() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(c.Advisories) {
		ad := c.Advisories[name]
		p, ok := c.Policies[ad.Policy.Name]
		if !ok {
			if ad.Policy.Name != "" {
				diags = append(diags, undeclared(ad.Policy, sortedKeys(c.Policies)))
			}
			continue
		}
		if ad.Targets != nil {
			var more hcl.Diagnostics
			ad.Hosts, more = c.hostsOf(ad.Targets)
			diags = append(diags, more...)
		}
		p.Approve = append(p.Approve, &Approve{
			Index: len(p.Approve), Packages: ad.Packages, Until: ad.Until, UntilText: ad.UntilText,
			Vuln: VulnRule{CVEs: []string{ad.CVE}}, Hosts: ad.Hosts, Advisory: ad.Name, DeclRange: ad.DeclRange,
		})
		p.Advisories = append(p.Advisories, ad)
	}
	return diags
}
