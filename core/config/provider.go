package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// builtinProviderAttrs lists the attributes of first-party providers, so typos
// in them are caught before any plugin runs. Third-party providers' attributes
// are checked against the plugin's own schema when it is launched.
var builtinProviderAttrs = map[string]map[string]cty.Type{
	"apt":           {"root": cty.String, "refresh": cty.Bool},
	"windowsupdate": {},
	"winget":        {},
	"fwupd":         {},
}

// IsBuiltinProvider reports whether name is a first-party provider.
func IsBuiltinProvider(name string) bool {
	_, ok := builtinProviderAttrs[name]
	return ok
}

func (d *decoder) decodeProvider(block *hcl.Block) {
	name := block.Labels[0]
	if prev, ok := d.cfg.Providers[name]; ok {
		d.duplicate("provider", name, prev.DeclRange, block.DefRange)
		return
	}
	p := &Provider{Name: name, Attributes: map[string]cty.Value{}, Ranges: map[string]hcl.Range{}, DeclRange: block.DefRange}
	d.cfg.Providers[name] = p
	var attrs hcl.Attributes
	if known, ok := builtinProviderAttrs[name]; ok {
		schema := &hcl.BodySchema{}
		for _, a := range sortedKeys(known) {
			schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: a})
		}
		content, diags := block.Body.Content(schema)
		d.add(diags)
		attrs = content.Attributes
		for n, a := range attrs {
			if v, ok := d.typed(a, known[n], typeName(known[n])); ok {
				p.Attributes[n] = v
				p.Ranges[n] = a.Expr.Range()
			}
		}
		return
	}
	attrs, diags := block.Body.JustAttributes()
	d.add(diags)
	for n, a := range attrs {
		if v, ok := d.value(a); ok {
			p.Attributes[n] = v
			p.Ranges[n] = a.Expr.Range()
		}
	}
}

func typeName(t cty.Type) string {
	switch t {
	case cty.String:
		return "a string"
	case cty.Bool:
		return "true or false"
	case cty.Number:
		return "a number"
	}
	return t.FriendlyName()
}
