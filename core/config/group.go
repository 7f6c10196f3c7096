package config

import "github.com/hashicorp/hcl/v2"

// Group is a label selector over hosts.
type Group struct {
	Name      string
	Match     map[string]string
	DeclRange hcl.Range
}

var groupSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "match", Required: true}},
}

// decodeGroup decodes a group block.
func decodeGroup(block *hcl.Block) (*Group, hcl.Diagnostics) {
	g := &Group{Name: block.Labels[0], Match: map[string]string{}, DeclRange: block.DefRange}
	content, diags := block.Body.Content(groupSchema)
	if a, ok := content.Attributes["match"]; ok {
		m, more := attrLabels(a)
		if !more.HasErrors() {
			if len(m) == 0 {
				more = append(more, errorAt(a.Expr.Range(), "Empty selector", "match must name at least one label; a group matching every host is rarely intended."))
			}
			g.Match = m
		}
		diags = append(diags, more...)
	}
	return g, diags
}

// Matches reports whether every label of the group's selector equals the
// host's label.
func (g *Group) Matches(h *Host) bool {
	for k, v := range g.Match {
		if h.Labels[k] != v {
			return false
		}
	}
	return len(g.Match) > 0
}
