package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Approve is one `approve` block; all criteria given must match.
type Approve struct {
	Index          int
	Classification []string
	Severity       []string
	Packages       []Pattern
	After          time.Duration
	AfterText      string
	Until          *time.Time // the approval stops applying after this instant
	UntilText      string
	// Vuln holds the vulnerability criteria (cves, cvss, epss, kev).
	Vuln VulnRule
	// Hosts, when set, limits the block to these hosts (an advisory's
	// targets); nil means every host of the policy.
	Hosts map[string]bool
	// Advisory names the advisory block this approval comes from; empty
	// for an approve block written in the policy.
	Advisory  string
	DeclRange hcl.Range
}

var approveSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "classification"}, {Name: "severity"}, {Name: "packages"}, {Name: "after"}, {Name: "until"},
		{Name: "cves"}, {Name: "cvss"}, {Name: "epss"}, {Name: "kev"},
	},
}

// decodeApprove decodes the index-th approve block of a policy.
func decodeApprove(b *hcl.Block, index int) (*Approve, hcl.Diagnostics) {
	ap := &Approve{Index: index, DeclRange: b.DefRange}
	content, diags := b.Body.Content(approveSchema)
	for _, name := range sortedKeys(content.Attributes) {
		a := content.Attributes[name]
		var more hcl.Diagnostics
		switch name {
		case "classification":
			ap.Classification, more = attrStrings(a)
		case "severity":
			ap.Severity, more = attrStrings(a)
		case "packages":
			ap.Packages, more = attrPatterns(a)
		case "after":
			ap.After, ap.AfterText, more = attrDuration(a)
		case "until":
			ap.Until, ap.UntilText, more = attrDate(a)
		default:
			more, _ = decodeVulnAttr(&ap.Vuln, a)
		}
		diags = append(diags, more...)
	}
	return ap, diags
}
