package config

import "github.com/hashicorp/hcl/v2"

var rolloutSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "max_parallel"}, {Name: "max_failures"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "ring", LabelNames: []string{"name"}}},
}

var ringSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "targets"}, {Name: "percent"}, {Name: "soak"}},
}

func (d *decoder) decodeRollout(b *hcl.Block) *Rollout {
	r := &Rollout{DeclRange: b.DefRange}
	content, diags := b.Body.Content(rolloutSchema)
	d.add(diags)
	if a, ok := content.Attributes["max_parallel"]; ok {
		if l, good := d.limit(a); good {
			if l.Count == 0 && l.Percent == 0 {
				d.errorf(a.Expr.Range(), "Invalid limit", "max_parallel must allow at least one host.")
			}
			r.MaxParallel = l
		}
	}
	if a, ok := content.Attributes["max_failures"]; ok {
		r.MaxFailures, _ = d.limit(a)
	}
	seen := map[string]hcl.Range{}
	lastPercent := 0
	for _, rb := range content.Blocks {
		name := rb.Labels[0]
		d.checkName("ring", name, rb.LabelRanges[0])
		if prev, dup := seen[name]; dup {
			d.duplicate("ring", name, prev, rb.DefRange)
			continue
		}
		seen[name] = rb.DefRange
		ring := &Ring{Name: name, DeclRange: rb.DefRange}
		rc, diags := rb.Body.Content(ringSchema)
		d.add(diags)
		ta, hasTargets := rc.Attributes["targets"]
		pa, hasPercent := rc.Attributes["percent"]
		switch {
		case hasTargets && hasPercent:
			d.errorf(pa.NameRange, "Conflicting ring membership", "A ring takes either targets or percent, not both.")
		case hasTargets:
			ring.Targets, _ = d.refs(ta, "group", "host")
		case hasPercent:
			if v, good := d.integer(pa); good {
				switch {
				case v < 1 || v > 100:
					d.errorf(pa.Expr.Range(), "Invalid percent", "percent must be between 1 and 100; got %d.", v)
				case v < lastPercent:
					d.errorf(pa.Expr.Range(), "Invalid percent",
						"percent is cumulative (the share of the policy's hosts in this ring and the ones before it), so it cannot go down from %d to %d.", lastPercent, v)
				default:
					lastPercent = v
				}
				ring.Percent = &v
			}
		default:
			d.errorf(rb.DefRange, "Empty ring", "Ring %q needs targets = [...] or percent = N.", name)
		}
		if a, ok := rc.Attributes["soak"]; ok {
			ring.Soak, ring.SoakText, _ = d.duration(a)
		}
		r.Rings = append(r.Rings, ring)
	}
	if len(r.Rings) == 0 {
		d.errorf(b.DefRange, "Empty rollout", "A rollout needs at least one ring block.")
	}
	return r
}
