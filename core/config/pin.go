package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Pin holds a package at an exact version.
type Pin struct {
	Package string
	Version string
	Range   hcl.Range // the whole pin map
	// PackageRange and VersionRange are where the entry's key and value are
	// written (the map's range when the map is not written literally).
	PackageRange, VersionRange hcl.Range
}

// attrPins decodes a policy's pin map, sorted by package.
func attrPins(a *hcl.Attribute) ([]*Pin, hcl.Diagnostics) {
	m, diags := attrStringMap(a)
	if diags.HasErrors() {
		return nil, diags
	}
	places := entryRanges(a.Expr)
	var out []*Pin
	for _, pkg := range sortedKeys(m) {
		if m[pkg] == "" {
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid pin", "pin %q needs an exact version.", pkg))
			continue
		}
		pin := &Pin{Package: pkg, Version: m[pkg], Range: a.Expr.Range(), PackageRange: a.Expr.Range(), VersionRange: a.Expr.Range()}
		if r, ok := places[pkg]; ok {
			pin.PackageRange, pin.VersionRange = r[0], r[1]
		}
		out = append(out, pin)
	}
	return out, diags
}

// entryRanges maps each string key of an object written literally ({ k = v })
// to where its key and its value are.
func entryRanges(expr hcl.Expression) map[string][2]hcl.Range {
	obj, ok := expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil
	}
	out := map[string][2]hcl.Range{}
	for _, item := range obj.Items {
		k, diags := item.KeyExpr.Value(nil)
		if diags.HasErrors() || !k.IsKnown() || k.IsNull() || k.Type() != cty.String {
			continue
		}
		out[k.AsString()] = [2]hcl.Range{item.KeyExpr.Range(), item.ValueExpr.Range()}
	}
	return out
}
