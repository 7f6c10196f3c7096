package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Freeze is a `freeze` block: a span in which no policy acts on the hosts
// it covers, whatever their windows say; only emergency policies do.
type Freeze struct {
	Name string
	// From is the first instant of the freeze; Until the first instant
	// after it (a date as until means to the end of that day, UTC).
	From, Until         *time.Time
	FromText, UntilText string
	Reason              string
	Targets             []Ref
	// Hosts are resolved from Targets; nil means every host.
	Hosts     map[string]bool
	DeclRange hcl.Range
}

var freezeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "from", Required: true}, {Name: "until", Required: true},
		{Name: "reason", Required: true}, {Name: "targets"},
	},
}

// decodeFreeze decodes a freeze block; its targets are resolved once every
// file is decoded.
func decodeFreeze(block *hcl.Block) (*Freeze, hcl.Diagnostics) {
	f := &Freeze{Name: block.Labels[0], DeclRange: block.DefRange}
	content, diags := block.Body.Content(freezeSchema)
	for _, name := range sortedKeys(content.Attributes) {
		a := content.Attributes[name]
		var more hcl.Diagnostics
		switch name {
		case "from":
			f.From, f.FromText, more = attrStart(a)
		case "until":
			f.Until, f.UntilText, more = attrDate(a)
		case "reason":
			f.Reason, more = attrReason(a)
		case "targets":
			f.Targets, more = attrRefs(a, "group", "host")
		}
		diags = append(diags, more...)
	}
	if f.From != nil && f.Until != nil && !f.Until.After(*f.From) {
		diags = append(diags, errorAt(content.Attributes["until"].Expr.Range(), "Invalid freeze span",
			"until (%s) must be after from (%s).", f.UntilText, f.FromText))
	}
	return f, diags
}

// ActiveAt reports whether the freeze holds at t for host.
func (f *Freeze) ActiveAt(host string, t time.Time) bool {
	if f.From == nil || f.Until == nil || (f.Hosts != nil && !f.Hosts[host]) {
		return false
	}
	return !t.Before(*f.From) && t.Before(*f.Until)
}

// Covers reports whether the freeze applies to host at all.
func (f *Freeze) Covers(host string) bool { return f.Hosts == nil || f.Hosts[host] }

// attrStart decodes when something begins: a date (its first instant,
// UTC) or an RFC 3339 time.
func attrStart(attr *hcl.Attribute) (*time.Time, string, hcl.Diagnostics) {
	s, diags := attrString(attr)
	if diags.HasErrors() {
		return nil, "", diags
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return &t, s, diags
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC()
		return &t, s, diags
	}
	return nil, s, append(diags, errorAt(attr.Expr.Range(), "Invalid date",
		"%s must be a date like \"2026-12-20\" (from its start, UTC) or an RFC 3339 time like \"2026-12-20T18:00:00Z\"; got %q.", attr.Name, s))
}
