package config

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Names (of hosts, host list entries, groups, windows, policies, providers,
// rings) and label keys are ASCII letters, digits, "_" and "-", starting
// with a letter. Anything wider lets a look-alike (a Cyrillic "е" in
// "wеb_1") or an invisible character (a zero-width space) pass for a real
// name in plans and reports. Label values may be any printable text, but
// not control or invisible (format) characters.

// nameProblem says what is wrong with s as a name, "" when nothing.
func nameProblem(s string) string {
	if s == "" {
		return "it is empty"
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-'):
		case i == 0:
			return fmt.Sprintf("it starts with %s, not an ASCII letter", describeRune(r))
		default:
			return fmt.Sprintf("character %d is %s", utf8.RuneCountInString(s[:i])+1, describeRune(r))
		}
	}
	return ""
}

// describeRune names a character so a look-alike or an invisible one shows.
func describeRune(r rune) string {
	if r < utf8.RuneSelf && unicode.IsPrint(r) {
		return fmt.Sprintf("%q", r)
	}
	if r < utf8.RuneSelf || unicode.Is(unicode.Cf, r) {
		return fmt.Sprintf("%U, an invisible character", r)
	}
	return fmt.Sprintf("%U, not ASCII", r)
}

// nameRule is the rule in words, for diagnostics.
const nameRule = `names use ASCII letters, digits, "_" and "-", starting with a letter`

// labelValueProblem says what is wrong with a label value, "" when nothing.
func labelValueProblem(s string) string {
	for i, r := range s {
		if r == utf8.RuneError || r != ' ' && !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Sprintf("character %d is %s (control and invisible characters are not allowed)", utf8.RuneCountInString(s[:i])+1, describeRune(r))
		}
	}
	return ""
}

// labelProblem checks one label, "" when it is fine; what names where it
// comes from ("Host \"a\" in hosts.json", "labels").
func labelProblem(what, key, value string) string {
	if p := nameProblem(key); p != "" {
		return fmt.Sprintf("%s: label key %+q is not valid: %s (%s).", what, key, p, nameRule)
	}
	if p := labelValueProblem(value); p != "" {
		return fmt.Sprintf("%s: the value of label %q is not valid: %s.", what, key, p)
	}
	return ""
}

// attrLabels decodes a map of labels (labels, match), checking each key and
// value and pointing at the offending item when the map is written out.
func attrLabels(attr *hcl.Attribute) (map[string]string, hcl.Diagnostics) {
	m, diags := attrStringMap(attr)
	if diags.HasErrors() {
		return nil, diags
	}
	ranges := labelRanges(attr.Expr, m)
	for _, k := range sortedKeys(m) {
		if p := labelProblem(attr.Name, k, m[k]); p != "" {
			rng, found := ranges[k]
			if !found {
				rng = attr.Expr.Range()
			}
			diags = append(diags, errorAt(rng, "Invalid label", "%s", p))
		}
	}
	return m, diags
}

// labelRanges maps each key of a map written out ({ k = v }) to where its
// problem is: the value when the value is not valid, else the key.
func labelRanges(expr hcl.Expression, m map[string]string) map[string]hcl.Range {
	ranges := map[string]hcl.Range{}
	pairs, diags := hcl.ExprMap(expr)
	if diags.HasErrors() {
		return ranges
	}
	for _, kv := range pairs {
		if k, diags := kv.Key.Value(nil); !diags.HasErrors() && k.Type() == cty.String && k.IsKnown() && !k.IsNull() {
			ranges[k.AsString()] = kv.Key.Range()
			if p := labelValueProblem(m[k.AsString()]); p != "" {
				ranges[k.AsString()] = kv.Value.Range()
			}
		}
	}
	return ranges
}

// checkName reports a block label that is not a safe name.
func checkName(kind, name string, rng hcl.Range) hcl.Diagnostics {
	if p := nameProblem(name); p != "" {
		return hcl.Diagnostics{errorAt(rng, "Invalid name", "%+q is not a valid %s name: %s; %s.", name, kind, p, nameRule)}
	}
	return nil
}
