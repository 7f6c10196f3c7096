package config

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Suspend is a `suspend` block of a policy or a host: until it expires,
// nothing is applied (emergency policies included); scans and reports go
// on, and plans say why.
type Suspend struct {
	Until     *time.Time // exclusive end instant
	UntilText string
	Reason    string
	DeclRange hcl.Range
}

var suspendSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "until", Required: true}, {Name: "reason", Required: true}},
}

// decodeSuspends decodes the suspend block among blocks: at most one; nil
// when there is none.
func decodeSuspends(blocks hcl.Blocks) (*Suspend, hcl.Diagnostics) {
	var s *Suspend
	var diags hcl.Diagnostics
	for _, b := range blocks {
		if b.Type != "suspend" {
			continue
		}
		if s != nil {
			diags = append(diags, errorAt(b.DefRange, "Duplicate suspend block", "Only one suspend block is allowed here; the first is at %s.", pos(s.DeclRange)))
			continue
		}
		s = &Suspend{DeclRange: b.DefRange}
		content, more := b.Body.Content(suspendSchema)
		diags = append(diags, more...)
		for _, name := range sortedKeys(content.Attributes) {
			a := content.Attributes[name]
			switch name {
			case "until":
				s.Until, s.UntilText, more = attrDate(a)
			case "reason":
				s.Reason, more = attrReason(a)
			}
			diags = append(diags, more...)
		}
	}
	return s, diags
}

// ActiveAt reports whether the suspension still holds at now. A suspend
// whose until did not decode holds (the configuration has an error then).
func (s *Suspend) ActiveAt(now time.Time) bool {
	return s != nil && (s.Until == nil || now.Before(*s.Until))
}

// ExpiredAt reports whether the suspension no longer applies at now.
func (s *Suspend) ExpiredAt(now time.Time) bool {
	return s != nil && s.Until != nil && !now.Before(*s.Until)
}

// ExpiredText says that the suspension of what (`policy "x"`, `host "y"`)
// expired; tend plan and tend validate warn in these words.
func (s *Suspend) ExpiredText(what string) string {
	return fmt.Sprintf("suspension of %s expired (until %s, %q); it is applied again", what, s.UntilText, s.Reason)
}

// Text says why nothing is applied, for plans: "policy "x" suspended
// until 2026-12-31: reason".
func (s *Suspend) Text(what string) string {
	return fmt.Sprintf("%s suspended until %s: %s", what, s.UntilText, s.Reason)
}
