package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Provider is a `provider "NAME"` block. Attributes are kept as values: their
// schema belongs to the provider plugin.
type Provider struct {
	Name       string
	Attributes map[string]cty.Value
	Ranges     map[string]hcl.Range
	DeclRange  hcl.Range
}

// builtinProviderAttrs lists the attributes of first-party providers, so typos
// in them are caught before any plugin runs. Third-party providers' attributes
// are checked against the plugin's own schema when it is launched.
var builtinProviderAttrs = map[string]map[string]cty.Type{
	"apt":           {"root": cty.String, "refresh": cty.Bool},
	"windowsupdate": {"server_selection": cty.String, "service_id": cty.String, "accept_eula": cty.Bool},
	"winget":        {"accept_agreements": cty.Bool},
	"fwupd":         {"refresh": cty.Bool, "require_usable_during_update": cty.Bool},
}

// IsBuiltinProvider reports whether name is a first-party provider.
func IsBuiltinProvider(name string) bool {
	_, ok := builtinProviderAttrs[name]
	return ok
}

// decodeProvider decodes a provider block: a first-party provider's
// attributes against their known types, any other provider's as they are.
func decodeProvider(block *hcl.Block) (*Provider, hcl.Diagnostics) {
	p := &Provider{Name: block.Labels[0], Attributes: map[string]cty.Value{}, Ranges: map[string]hcl.Range{}, DeclRange: block.DefRange}
	known, builtin := builtinProviderAttrs[p.Name]
	attrs, diags := providerAttributes(block.Body, known, builtin)
	for _, n := range sortedKeys(attrs) {
		a := attrs[n]
		var v cty.Value
		var more hcl.Diagnostics
		if builtin {
			v, more = attrTyped(a, known[n], typeName(known[n]))
		} else {
			v, more = attrValue(a)
		}
		if !more.HasErrors() {
			p.Attributes[n] = v
			p.Ranges[n] = a.Expr.Range()
		}
		diags = append(diags, more...)
	}
	return p, diags
}

// providerAttributes returns the attributes of a provider block: those
// known of a first-party provider (any other is an error), all of a
// third-party one, whose plugin checks them.
func providerAttributes(body hcl.Body, known map[string]cty.Type, builtin bool) (hcl.Attributes, hcl.Diagnostics) {
	if !builtin {
		return body.JustAttributes()
	}
	schema := &hcl.BodySchema{}
	for _, a := range sortedKeys(known) {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: a})
	}
	content, diags := body.Content(schema)
	return content.Attributes, diags
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
