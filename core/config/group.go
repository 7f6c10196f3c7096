package config

import "github.com/hashicorp/hcl/v2"

var groupSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "match", Required: true}},
}

func (d *decoder) decodeGroup(block *hcl.Block) {
	name := block.Labels[0]
	if prev, ok := d.cfg.Groups[name]; ok {
		d.duplicate("group", name, prev.DeclRange, block.DefRange)
		return
	}
	g := &Group{Name: name, Match: map[string]string{}, DeclRange: block.DefRange}
	d.cfg.Groups[name] = g
	content, diags := block.Body.Content(groupSchema)
	d.add(diags)
	if a, ok := content.Attributes["match"]; ok {
		if m, ok := d.labels(a); ok {
			if len(m) == 0 {
				d.errorf(a.Expr.Range(), "Empty selector", "match must name at least one label; a group matching every host is rarely intended.")
			}
			g.Match = m
		}
	}
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
