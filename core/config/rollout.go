package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Rollout stages a policy's hosts through rings.
type Rollout struct {
	Rings       []*Ring
	MaxParallel Limit
	MaxFailures Limit
	DeclRange   hcl.Range
}

// Ring is one stage of a rollout.
type Ring struct {
	Name    string
	Targets []Ref
	Hosts   map[string]bool // resolved from Targets
	Percent *int            // cumulative share of the policy's hosts
	Soak    time.Duration
	// SoakText is the soak as written, for reasons shown to users.
	SoakText  string
	DeclRange hcl.Range
}

// Limit is a count or a percentage of hosts ("10" or "20%").
type Limit struct {
	Count   int
	Percent int
	Set     bool
}

// String renders the limit as written: "3" or "10%"; "" when unset.
func (l Limit) String() string {
	switch {
	case !l.Set:
		return ""
	case l.Percent > 0:
		return fmt.Sprintf("%d%%", l.Percent)
	}
	return fmt.Sprint(l.Count)
}

// Of returns the limit applied to n hosts, at least 1 when set and n > 0.
func (l Limit) Of(n int) int {
	if !l.Set {
		return n
	}
	if l.Percent == 0 {
		return l.Count
	}
	v := n * l.Percent / 100
	if v < 1 && n > 0 {
		v = 1
	}
	return v
}

var rolloutSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "max_parallel"}, {Name: "max_failures"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "ring", LabelNames: []string{"name"}}},
}

var ringSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "targets"}, {Name: "percent"}, {Name: "soak"}},
}

// decodeRollout decodes a policy's rollout block and its rings; the rings'
// targets are resolved once every file is decoded.
func decodeRollout(b *hcl.Block) (*Rollout, hcl.Diagnostics) {
	r := &Rollout{DeclRange: b.DefRange}
	content, diags := b.Body.Content(rolloutSchema)
	var more hcl.Diagnostics
	r.MaxParallel, r.MaxFailures, more = decodeRolloutLimits(content.Attributes)
	diags = append(diags, more...)
	r.Rings, more = decodeRings(content.Blocks)
	diags = append(diags, more...)
	if len(r.Rings) == 0 {
		diags = append(diags, errorAt(b.DefRange, "Empty rollout", "A rollout needs at least one ring block."))
	}
	return r, diags
}

// decodeRolloutLimits decodes how many hosts a rollout changes at once
// (max_parallel, at least one) and how many may fail (max_failures).
func decodeRolloutLimits(attrs hcl.Attributes) (maxParallel, maxFailures Limit, diags hcl.Diagnostics) {
	if a, ok := attrs["max_parallel"]; ok {
		var more hcl.Diagnostics
		maxParallel, more = attrLimit(a)
		if !more.HasErrors() && maxParallel.Count == 0 && maxParallel.Percent == 0 {
			more = append(more, errorAt(a.Expr.Range(), "Invalid limit", "max_parallel must allow at least one host."))
		}
		diags = append(diags, more...)
	}
	if a, ok := attrs["max_failures"]; ok {
		var more hcl.Diagnostics
		maxFailures, more = attrLimit(a)
		diags = append(diags, more...)
	}
	return maxParallel, maxFailures, diags
}

// decodeRings decodes the ring blocks of a rollout, in order; a second
// ring of the same name is reported and left out.
func decodeRings(blocks hcl.Blocks) ([]*Ring, hcl.Diagnostics) {
	var rings []*Ring
	var diags hcl.Diagnostics
	seen := map[string]hcl.Range{}
	lastPercent := 0
	for _, rb := range blocks {
		name := rb.Labels[0]
		diags = append(diags, checkName("ring", name, rb.LabelRanges[0])...)
		if prev, dup := seen[name]; dup {
			diags = append(diags, duplicate("ring", name, prev, rb.DefRange))
			continue
		}
		seen[name] = rb.DefRange
		ring, last, more := decodeRing(rb, lastPercent)
		lastPercent = last
		rings = append(rings, ring)
		diags = append(diags, more...)
	}
	return rings, diags
}

// decodeRing decodes one ring: its members (targets or a percent) and its
// soak. lastPercent is the cumulative percent of the rings before it; the
// ring returns it updated, for the next.
func decodeRing(rb *hcl.Block, lastPercent int) (*Ring, int, hcl.Diagnostics) {
	ring := &Ring{Name: rb.Labels[0], DeclRange: rb.DefRange}
	content, diags := rb.Body.Content(ringSchema)
	ta, hasTargets := content.Attributes["targets"]
	pa, hasPercent := content.Attributes["percent"]
	var more hcl.Diagnostics
	switch {
	case hasTargets && hasPercent:
		more = hcl.Diagnostics{errorAt(pa.NameRange, "Conflicting ring membership", "A ring takes either targets or percent, not both.")}
	case hasTargets:
		ring.Targets, more = attrRefs(ta, "group", "host")
	case hasPercent:
		ring.Percent, lastPercent, more = attrPercent(pa, lastPercent)
	default:
		more = hcl.Diagnostics{errorAt(rb.DefRange, "Empty ring", "Ring %q needs targets = [...] or percent = N.", ring.Name)}
	}
	diags = append(diags, more...)
	if a, ok := content.Attributes["soak"]; ok {
		ring.Soak, ring.SoakText, more = attrDuration(a)
		diags = append(diags, more...)
	}
	return ring, lastPercent, diags
}

// attrPercent decodes a ring's percent: cumulative, so it cannot go down
// from last, the percent of the rings before. It returns the percent so far.
func attrPercent(a *hcl.Attribute, last int) (*int, int, hcl.Diagnostics) {
	v, diags := attrInt(a)
	if diags.HasErrors() {
		return nil, last, diags
	}
	switch {
	case v < 1 || v > 100:
		diags = append(diags, errorAt(a.Expr.Range(), "Invalid percent", "percent must be between 1 and 100; got %d.", v))
	case v < last:
		diags = append(diags, errorAt(a.Expr.Range(), "Invalid percent",
			"percent is cumulative (the share of the policy's hosts in this ring and the ones before it), so it cannot go down from %d to %d.", last, v))
	default:
		last = v
	}
	return &v, last, diags
}

// attrLimit decodes a count (10) or a percentage ("20%").
func attrLimit(attr *hcl.Attribute) (Limit, hcl.Diagnostics) {
	v, diags := attrValue(attr)
	if diags.HasErrors() {
		return Limit{}, diags
	}
	l, more := limitOf(attr, v)
	diags = append(diags, more...)
	if !l.Set {
		diags = append(diags, errorAt(attr.Expr.Range(), "Invalid limit", "%s must be a positive whole number (10) or a percentage (\"20%%\").", attr.Name))
	}
	return l, diags
}

// limitOf reads the limit attr's value v gives; not Set when it is none.
func limitOf(attr *hcl.Attribute, v cty.Value) (Limit, hcl.Diagnostics) {
	switch v.Type() {
	case cty.Number:
		n, diags := attrInt(attr)
		if diags.HasErrors() || n < 0 {
			return Limit{}, diags
		}
		return Limit{Count: n, Set: true}, diags
	case cty.String:
		s := strings.TrimSpace(v.AsString())
		if !strings.HasSuffix(s, "%") {
			return Limit{}, nil
		}
		var p int
		if _, err := fmt.Sscanf(strings.TrimSuffix(s, "%"), "%d", &p); err != nil || p < 0 || p > 100 ||
			fmt.Sprintf("%d%%", p) != s {
			return Limit{}, nil
		}
		return Limit{Percent: p, Set: true}, nil
	}
	return Limit{}, nil
}
