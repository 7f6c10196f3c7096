package config

import (
	"github.com/hashicorp/hcl/v2"
)

// Tend is the optional top-level `tend` block.
type Tend struct {
	ReportsBranch     string
	RequiredProviders map[string]string // name -> version constraint
	DeclRange         hcl.Range
}

// DefaultReportsBranch is used when the tend block does not name one.
const DefaultReportsBranch = "tend/reports"

var tendSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "reports_branch"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "required_providers"}},
}

// decodeTend decodes the tend block.
func decodeTend(block *hcl.Block) (*Tend, hcl.Diagnostics) {
	t := &Tend{RequiredProviders: map[string]string{}, DeclRange: block.DefRange}
	content, diags := block.Body.Content(tendSchema)
	if a, ok := content.Attributes["reports_branch"]; ok {
		s, more := attrString(a)
		if !more.HasErrors() {
			if s == "" {
				more = append(more, errorAt(a.Expr.Range(), "Invalid branch", "reports_branch must not be empty."))
			}
			t.ReportsBranch = s
		}
		diags = append(diags, more...)
	}
	for i, b := range content.Blocks {
		if i > 0 {
			diags = append(diags, errorAt(b.DefRange, "Duplicate required_providers block", "Only one required_providers block is allowed."))
			continue
		}
		var more hcl.Diagnostics
		t.RequiredProviders, more = decodeRequiredProviders(b)
		diags = append(diags, more...)
	}
	return t, diags
}

// decodeRequiredProviders decodes the required_providers block: a version
// constraint per provider name.
func decodeRequiredProviders(b *hcl.Block) (map[string]string, hcl.Diagnostics) {
	out := map[string]string{}
	attrs, diags := b.Body.JustAttributes()
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		s, more := attrString(a)
		diags = append(diags, more...)
		if more.HasErrors() {
			continue
		}
		if _, err := ParseConstraint(s); err != nil {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid version constraint", "%s: %s.", name, err))
		}
		out[name] = s
	}
	return out, diags
}
