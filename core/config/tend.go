package config

import (
	"github.com/hashicorp/hcl/v2"
)

var tendSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "reports_branch"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "required_providers"}},
}

func (d *decoder) decodeTend(block *hcl.Block) {
	if d.cfg.Tend != nil {
		d.errorf(block.DefRange, "Duplicate tend block",
			"Only one tend block is allowed; the first is at %s.", d.cfg.Tend.DeclRange.String())
		return
	}
	t := &Tend{RequiredProviders: map[string]string{}, DeclRange: block.DefRange}
	d.cfg.Tend = t
	content, diags := block.Body.Content(tendSchema)
	d.add(diags)
	if a, ok := content.Attributes["reports_branch"]; ok {
		if s, ok := d.str(a); ok {
			if s == "" {
				d.errorf(a.Expr.Range(), "Invalid branch", "reports_branch must not be empty.")
			}
			t.ReportsBranch = s
		}
	}
	for i, b := range content.Blocks {
		if i > 0 {
			d.errorf(b.DefRange, "Duplicate required_providers block", "Only one required_providers block is allowed.")
			continue
		}
		attrs, diags := b.Body.JustAttributes()
		d.add(diags)
		for _, name := range sortedKeys(attrs) {
			a := attrs[name]
			if s, ok := d.str(a); ok {
				if _, err := ParseConstraint(s); err != nil {
					d.errorf(a.Expr.Range(), "Invalid version constraint", "%s: %s.", name, err)
				}
				t.RequiredProviders[name] = s
			}
		}
	}
}
