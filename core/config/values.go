package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/tend-sh/tend/core/schedule"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// value evaluates a literal attribute (no variables or functions).
func (d *decoder) value(attr *hcl.Attribute) (cty.Value, bool) {
	v, diags := attr.Expr.Value(nil)
	d.add(diags)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	if v.IsNull() {
		d.errorf(attr.Expr.Range(), "Missing value", "%s must not be null.", attr.Name)
		return cty.NilVal, false
	}
	return v, true
}

func (d *decoder) typed(attr *hcl.Attribute, ty cty.Type, want string) (cty.Value, bool) {
	v, ok := d.value(attr)
	if !ok {
		return v, false
	}
	c, err := convert.Convert(v, ty)
	if err != nil || !c.IsWhollyKnown() {
		d.errorf(attr.Expr.Range(), "Incorrect attribute value type", "%s must be %s.", attr.Name, want)
		return cty.NilVal, false
	}
	return c, true
}

func (d *decoder) str(attr *hcl.Attribute) (string, bool) {
	v, ok := d.typed(attr, cty.String, "a string")
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

func (d *decoder) boolean(attr *hcl.Attribute) (bool, bool) {
	v, ok := d.typed(attr, cty.Bool, "true or false")
	if !ok {
		return false, false
	}
	return v.True(), true
}

func (d *decoder) integer(attr *hcl.Attribute) (int, bool) {
	v, ok := d.typed(attr, cty.Number, "a whole number")
	if !ok {
		return 0, false
	}
	bf := v.AsBigFloat()
	i, acc := bf.Int64()
	if !bf.IsInt() || acc != 0 || i > 1<<31 || i < -(1<<31) {
		d.errorf(attr.Expr.Range(), "Invalid number", "%s must be a whole number.", attr.Name)
		return 0, false
	}
	return int(i), true
}

func (d *decoder) strList(attr *hcl.Attribute) ([]string, bool) {
	v, ok := d.typed(attr, cty.List(cty.String), "a list of strings")
	if !ok {
		return nil, false
	}
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			d.errorf(attr.Expr.Range(), "Missing value", "%s must not contain null.", attr.Name)
			return nil, false
		}
		out = append(out, e.AsString())
	}
	return out, true
}

// strMap decodes a map of strings; keys come back sorted for determinism.
func (d *decoder) strMap(attr *hcl.Attribute) (map[string]string, bool) {
	v, ok := d.typed(attr, cty.Map(cty.String), "a map of strings")
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsNull() {
			d.errorf(attr.Expr.Range(), "Missing value", "%s[%q] must not be null.", attr.Name, k.AsString())
			return nil, false
		}
		out[k.AsString()] = e.AsString()
	}
	return out, true
}

// patterns decodes a list of globs, each with its own range when the list is
// written literally.
func (d *decoder) patterns(attr *hcl.Attribute) ([]Pattern, bool) {
	list, ok := d.strList(attr)
	if !ok {
		return nil, false
	}
	exprs, diags := hcl.ExprList(attr.Expr)
	out := make([]Pattern, len(list))
	for i, g := range list {
		rng := attr.Expr.Range()
		if !diags.HasErrors() && len(exprs) == len(list) {
			rng = exprs[i].Range()
		}
		if err := checkGlob(g); err != nil {
			d.errorf(rng, "Invalid pattern", "%q: %s.", g, err)
			ok = false
		}
		out[i] = Pattern{Glob: g, Range: rng}
	}
	return out, ok
}

func (d *decoder) duration(attr *hcl.Attribute) (time.Duration, string, bool) {
	s, ok := d.str(attr)
	if !ok {
		return 0, "", false
	}
	v, err := schedule.ParseDuration(s)
	if err != nil {
		d.errorf(attr.Expr.Range(), "Invalid duration", "%s: %s", attr.Name, err)
		return 0, s, false
	}
	if v < 0 {
		d.errorf(attr.Expr.Range(), "Invalid duration", "%s must not be negative.", attr.Name)
		return 0, s, false
	}
	return v, s, true
}

// date decodes "YYYY-MM-DD" (inclusive: returns the first instant of the
// next day, UTC) or an RFC 3339 time (exact).
func (d *decoder) date(attr *hcl.Attribute) (*time.Time, string, bool) {
	s, ok := d.str(attr)
	if !ok {
		return nil, "", false
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		end := t.AddDate(0, 0, 1)
		return &end, s, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC()
		return &t, s, true
	}
	d.errorf(attr.Expr.Range(), "Invalid date",
		"%s must be a date like \"2027-01-31\" (inclusive, UTC) or an RFC 3339 time like \"2027-01-31T18:00:00Z\"; got %q.", attr.Name, s)
	return nil, s, false
}

// limit decodes a count (10) or a percentage ("20%").
func (d *decoder) limit(attr *hcl.Attribute) (Limit, bool) {
	v, ok := d.value(attr)
	if !ok {
		return Limit{}, false
	}
	bad := func() (Limit, bool) {
		d.errorf(attr.Expr.Range(), "Invalid limit", "%s must be a positive whole number (10) or a percentage (\"20%%\").", attr.Name)
		return Limit{}, false
	}
	switch v.Type() {
	case cty.Number:
		n, ok := d.integer(attr)
		if !ok || n < 0 {
			return bad()
		}
		return Limit{Count: n, Set: true}, true
	case cty.String:
		s := strings.TrimSpace(v.AsString())
		if !strings.HasSuffix(s, "%") {
			return bad()
		}
		var p int
		if _, err := fmt.Sscanf(strings.TrimSuffix(s, "%"), "%d", &p); err != nil || p < 0 || p > 100 ||
			fmt.Sprintf("%d%%", p) != s {
			return bad()
		}
		return Limit{Percent: p, Set: true}, true
	}
	return bad()
}

// refs decodes a list of references such as [group.web, host.db_1].
func (d *decoder) refs(attr *hcl.Attribute, kinds ...string) ([]Ref, bool) {
	exprs, diags := hcl.ExprList(attr.Expr)
	if diags.HasErrors() {
		d.errorf(attr.Expr.Range(), "Invalid reference list",
			"%s must be a list of references such as [%s.name].", attr.Name, kinds[0])
		return nil, false
	}
	out := make([]Ref, 0, len(exprs))
	ok := true
	for _, e := range exprs {
		r, good := d.ref(e, attr.Name, kinds...)
		if good {
			out = append(out, r)
		}
		ok = ok && good
	}
	return out, ok
}

// ref decodes one reference such as window.weekend.
func (d *decoder) ref(expr hcl.Expression, what string, kinds ...string) (Ref, bool) {
	tr, diags := hcl.AbsTraversalForExpr(expr)
	want := strings.Join(kinds, ".NAME, ") + ".NAME"
	if diags.HasErrors() || len(tr) != 2 {
		d.errorf(expr.Range(), "Invalid reference", "%s takes references like %s (no quotes).", what, want)
		return Ref{}, false
	}
	attr, isAttr := tr[1].(hcl.TraverseAttr)
	root := tr.RootName()
	if !isAttr || !contains(kinds, root) {
		d.errorf(expr.Range(), "Invalid reference", "%s takes references like %s, not %q.", what, want, root)
		return Ref{}, false
	}
	return Ref{Kind: root, Name: attr.Name, Range: expr.Range()}, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func oneOf(d *decoder, attr *hcl.Attribute, allowed ...string) (string, bool) {
	s, ok := d.str(attr)
	if !ok {
		return "", false
	}
	if !contains(allowed, s) {
		d.errorf(attr.Expr.Range(), "Invalid value", "%s must be one of %s; got %q.", attr.Name, quoteList(allowed), s)
		return s, false
	}
	return s, true
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
