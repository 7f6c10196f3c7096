package config

import (
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Exclude keeps matching updates (on matching hosts) from being installed
// until an expiry.
type Exclude struct {
	Index     int
	Packages  []Pattern
	Targets   []Ref
	Hosts     map[string]bool // resolved from Targets; nil means every host
	Until     *time.Time      // exclusive end instant
	UntilText string
	Reason    string
	DeclRange hcl.Range
}

var excludeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "packages"}, {Name: "targets"}, {Name: "until", Required: true}, {Name: "reason", Required: true},
	},
}

// decodeExclude decodes the index-th exclude block of a policy; its
// targets are resolved once every file is decoded.
func decodeExclude(b *hcl.Block, index int) (*Exclude, hcl.Diagnostics) {
	ex := &Exclude{Index: index, DeclRange: b.DefRange}
	content, diags := b.Body.Content(excludeSchema)
	for _, name := range sortedKeys(content.Attributes) {
		a := content.Attributes[name]
		var more hcl.Diagnostics
		switch name {
		case "packages":
			ex.Packages, more = attrPatterns(a)
		case "targets":
			ex.Targets, more = attrRefs(a, "group", "host")
		case "until":
			ex.Until, ex.UntilText, more = attrDate(a)
		case "reason":
			ex.Reason, more = attrReason(a)
		}
		diags = append(diags, more...)
	}
	_, hasPkgs := content.Attributes["packages"]
	_, hasTargets := content.Attributes["targets"]
	if !hasPkgs && !hasTargets {
		diags = append(diags, errorAt(b.DefRange, "Empty exclusion", "An exclude block needs packages, targets, or both."))
	}
	return ex, diags
}

// attrReason decodes why an exclusion exists, which must not be blank.
func attrReason(a *hcl.Attribute) (string, hcl.Diagnostics) {
	s, diags := attrString(a)
	if !diags.HasErrors() && strings.TrimSpace(s) == "" {
		diags = append(diags, errorAt(a.Expr.Range(), "Missing reason", "An exclusion needs a reason, so the next reader knows why."))
	}
	return s, diags
}
