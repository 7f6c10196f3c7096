package config

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/tend-sh/tend/core/schedule"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// The attr* functions decode one attribute's value. Each returns the value
// (its zero value, or what could be read, when there is a problem) with the
// diagnostics of the attribute; the value is good when they hold no error.

// Ref is a reference such as host.web_1 as written in the config.
type Ref struct {
	Kind  string // "host", "group" or "window"
	Name  string
	Range hcl.Range
}

// String renders the reference as written.
func (r Ref) String() string { return r.Kind + "." + r.Name }

// Pattern is a shell-style glob on package or update identifiers.
type Pattern struct {
	Glob string
	// Version, set only in a reject written "name=version", is a pattern
	// for the versions rejected; empty rejects every version.
	Version string
	Range   hcl.Range
}

// errorAt is an error diagnostic about what is at rng.
func errorAt(rng hcl.Range, summary, format string, args ...any) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  &rng,
	}
}

// pos writes where a range starts as file:line:col, the form of every
// diagnostic's own location, for diagnostics that point at a second place
// ("the first is at main.tend.hcl:3:1").
func pos(rng hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", rng.Filename, rng.Start.Line, rng.Start.Column)
}

// attrValue evaluates a literal attribute (no variables or functions).
func attrValue(attr *hcl.Attribute) (cty.Value, hcl.Diagnostics) {
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	if v.IsNull() {
		return cty.NilVal, append(diags, errorAt(attr.Expr.Range(), "Missing value", "%s must not be null.", attr.Name))
	}
	return v, diags
}

// attrTyped evaluates an attribute and converts it to ty; want says what
// ty is in words, for the diagnostic.
func attrTyped(attr *hcl.Attribute, ty cty.Type, want string) (cty.Value, hcl.Diagnostics) {
	v, diags := attrValue(attr)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	c, err := convert.Convert(v, ty)
	if err != nil || !c.IsWhollyKnown() {
		return cty.NilVal, append(diags, errorAt(attr.Expr.Range(), "Incorrect attribute value type", "%s must be %s.", attr.Name, want))
	}
	return c, diags
}

// attrString decodes a string.
func attrString(attr *hcl.Attribute) (string, hcl.Diagnostics) {
	v, diags := attrTyped(attr, cty.String, "a string")
	if diags.HasErrors() {
		return "", diags
	}
	return v.AsString(), diags
}

// attrBool decodes true or false.
func attrBool(attr *hcl.Attribute) (bool, hcl.Diagnostics) {
	v, diags := attrTyped(attr, cty.Bool, "true or false")
	if diags.HasErrors() {
		return false, diags
	}
	return v.True(), diags
}

// attrInt decodes a whole number that fits in 32 bits.
func attrInt(attr *hcl.Attribute) (int, hcl.Diagnostics) {
	v, diags := attrTyped(attr, cty.Number, "a whole number")
	if diags.HasErrors() {
		return 0, diags
	}
	bf := v.AsBigFloat()
	i, acc := bf.Int64()
	if !bf.IsInt() || acc != 0 || i > 1<<31 || i < -(1<<31) {
		return 0, append(diags, errorAt(attr.Expr.Range(), "Invalid number", "%s must be a whole number.", attr.Name))
	}
	return int(i), diags
}

// attrStrings decodes a list of strings, none of them null.
func attrStrings(attr *hcl.Attribute) ([]string, hcl.Diagnostics) {
	v, diags := attrTyped(attr, cty.List(cty.String), "a list of strings")
	if diags.HasErrors() {
		return nil, diags
	}
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			return nil, append(diags, errorAt(attr.Expr.Range(), "Missing value", "%s must not contain null.", attr.Name))
		}
		out = append(out, e.AsString())
	}
	return out, diags
}

// attrStringMap decodes a map of strings, none of them null.
func attrStringMap(attr *hcl.Attribute) (map[string]string, hcl.Diagnostics) {
	v, diags := attrTyped(attr, cty.Map(cty.String), "a map of strings")
	if diags.HasErrors() {
		return nil, diags
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsNull() {
			return nil, append(diags, errorAt(attr.Expr.Range(), "Missing value", "%s[%q] must not be null.", attr.Name, k.AsString()))
		}
		out[k.AsString()] = e.AsString()
	}
	return out, diags
}

// attrPatterns decodes a list of globs, each with its own range when the
// list is written literally.
func attrPatterns(attr *hcl.Attribute) ([]Pattern, hcl.Diagnostics) {
	return patternList(attr, func(g string, rng hcl.Range) (Pattern, *hcl.Diagnostic) {
		if err := checkGlob(g); err != nil {
			return Pattern{}, errorAt(rng, "Invalid pattern", "%q: %s.", g, err)
		}
		return Pattern{Glob: g, Range: rng}, nil
	})
}

// attrRejects decodes reject: patterns of package names, each optionally
// scoped to versions as "name=version" (both shell-style patterns), so
// one bad build can be rejected while later ones still flow.
func attrRejects(attr *hcl.Attribute) ([]Pattern, hcl.Diagnostics) {
	return patternList(attr, func(g string, rng hcl.Range) (Pattern, *hcl.Diagnostic) {
		name, version, scoped := strings.Cut(g, "=")
		if err := checkGlob(name); err != nil {
			return Pattern{}, errorAt(rng, "Invalid pattern", "%q: %s.", g, err)
		}
		if scoped {
			if err := checkGlob(version); err != nil {
				return Pattern{}, errorAt(rng, "Invalid pattern", "%q: the version after =: %s.", g, err)
			}
		}
		return Pattern{Glob: name, Version: version, Range: rng}, nil
	})
}

// patternList decodes a list of strings, each into a Pattern by decode,
// which gets the element's own range.
func patternList(attr *hcl.Attribute, decode func(string, hcl.Range) (Pattern, *hcl.Diagnostic)) ([]Pattern, hcl.Diagnostics) {
	list, diags := attrStrings(attr)
	if diags.HasErrors() {
		return nil, diags
	}
	exprs, listDiags := hcl.ExprList(attr.Expr)
	out := make([]Pattern, len(list))
	for i, g := range list {
		rng := attr.Expr.Range()
		if !listDiags.HasErrors() && len(exprs) == len(list) {
			rng = exprs[i].Range()
		}
		p, d := decode(g, rng)
		if d != nil {
			diags = append(diags, d)
			p = Pattern{Glob: g, Range: rng}
		}
		out[i] = p
	}
	return out, diags
}

// checkGlob reports whether g is a well-formed shell-style pattern.
func checkGlob(g string) error {
	if g == "" {
		return fmt.Errorf("empty pattern")
	}
	if _, err := path.Match(g, ""); err != nil {
		return fmt.Errorf("malformed pattern (unbalanced [ or trailing \\)")
	}
	return nil
}

// attrDuration decodes a duration such as "6h" or "3d", never negative; it
// returns the text as written too, for reasons shown to users.
func attrDuration(attr *hcl.Attribute) (time.Duration, string, hcl.Diagnostics) {
	s, diags := attrString(attr)
	if diags.HasErrors() {
		return 0, "", diags
	}
	v, err := schedule.ParseDuration(s)
	if err != nil {
		return 0, s, append(diags, errorAt(attr.Expr.Range(), "Invalid duration", "%s: %s", attr.Name, err))
	}
	if v < 0 {
		return 0, s, append(diags, errorAt(attr.Expr.Range(), "Invalid duration", "%s must not be negative.", attr.Name))
	}
	return v, s, diags
}

// attrDate decodes "YYYY-MM-DD" (inclusive: returns the first instant of
// the next day, UTC) or an RFC 3339 time (exact), and the text as written.
func attrDate(attr *hcl.Attribute) (*time.Time, string, hcl.Diagnostics) {
	s, diags := attrString(attr)
	if diags.HasErrors() {
		return nil, "", diags
	}
	if t := parseUntil(s); t != nil {
		return t, s, diags
	}
	return nil, s, append(diags, errorAt(attr.Expr.Range(), "Invalid date",
		"%s must be a date like \"2027-01-31\" (inclusive, UTC) or an RFC 3339 time like \"2027-01-31T18:00:00Z\"; got %q.", attr.Name, s))
}

// parseUntil parses when something ends: a date (inclusive: the first
// instant after it, UTC) or an RFC 3339 time; nil when s is neither.
func parseUntil(s string) *time.Time {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		end := t.AddDate(0, 0, 1)
		return &end
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC()
		return &t
	}
	return nil
}

// attrRefs decodes a list of references such as [group.web, host.db_1],
// keeping the good ones when some are not.
func attrRefs(attr *hcl.Attribute, kinds ...string) ([]Ref, hcl.Diagnostics) {
	exprs, listDiags := hcl.ExprList(attr.Expr)
	if listDiags.HasErrors() {
		return nil, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Invalid reference list",
			"%s must be a list of references such as [%s.name].", attr.Name, kinds[0])}
	}
	out := make([]Ref, 0, len(exprs))
	var diags hcl.Diagnostics
	for _, e := range exprs {
		r, more := exprRef(e, attr.Name, kinds...)
		if !more.HasErrors() {
			out = append(out, r)
		}
		diags = append(diags, more...)
	}
	return out, diags
}

// exprRef decodes one reference such as window.weekend; what names the
// attribute it is written in.
func exprRef(expr hcl.Expression, what string, kinds ...string) (Ref, hcl.Diagnostics) {
	tr, diags := hcl.AbsTraversalForExpr(expr)
	want := strings.Join(kinds, ".NAME, ") + ".NAME"
	if diags.HasErrors() || len(tr) != 2 {
		return Ref{}, hcl.Diagnostics{errorAt(expr.Range(), "Invalid reference", "%s takes references like %s (no quotes).", what, want)}
	}
	attr, isAttr := tr[1].(hcl.TraverseAttr)
	root := tr.RootName()
	if !isAttr || !slices.Contains(kinds, root) {
		return Ref{}, hcl.Diagnostics{errorAt(expr.Range(), "Invalid reference", "%s takes references like %s, not %q.", what, want, root)}
	}
	return Ref{Kind: root, Name: attr.Name, Range: expr.Range()}, nil
}

// attrOneOf decodes a string that must be one of allowed.
func attrOneOf(attr *hcl.Attribute, allowed ...string) (string, hcl.Diagnostics) {
	s, diags := attrString(attr)
	if diags.HasErrors() {
		return "", diags
	}
	if !slices.Contains(allowed, s) {
		return s, append(diags, errorAt(attr.Expr.Range(), "Invalid value", "%s must be one of %s; got %q.", attr.Name, quoteList(allowed), s))
	}
	return s, diags
}

// quoteList renders items quoted and separated by commas.
func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
