package config

import (
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

var policySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "provider", Required: true}, {Name: "targets", Required: true},
		{Name: "reject"}, {Name: "pin"}, {Name: "window"}, {Name: "emergency"}, {Name: "reboot"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "approve"}, {Type: "exclude"}, {Type: "rollout"},
		{Type: "health_check", LabelNames: []string{"type"}},
	},
}

var approveSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "classification"}, {Name: "severity"}, {Name: "packages"}, {Name: "after"}, {Name: "until"},
	},
}

var excludeSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "packages"}, {Name: "targets"}, {Name: "until", Required: true}, {Name: "reason", Required: true},
	},
}

var healthSchemas = map[string]*hcl.BodySchema{
	"command": {Attributes: []hcl.AttributeSchema{{Name: "argv", Required: true}, {Name: "timeout"}}},
	"http": {Attributes: []hcl.AttributeSchema{
		{Name: "url", Required: true}, {Name: "expect_status"}, {Name: "timeout"},
	}},
}

func (d *decoder) decodePolicy(block *hcl.Block) {
	name := block.Labels[0]
	if prev, ok := d.cfg.Policies[name]; ok {
		d.duplicate("policy", name, prev.DeclRange, block.DefRange)
		return
	}
	p := &Policy{Name: name, Reboot: RebootIfNeeded, DeclRange: block.DefRange}
	d.cfg.Policies[name] = p
	content, diags := block.Body.Content(policySchema)
	d.add(diags)
	attrs := content.Attributes
	if a, ok := attrs["provider"]; ok {
		p.Provider, _ = d.str(a)
		p.ProviderRange = a.Expr.Range()
		if p.Provider != "" && !validName(p.Provider) {
			d.errorf(a.Expr.Range(), "Invalid provider name", "%q is not a provider name such as \"apt\".", p.Provider)
		}
	}
	if a, ok := attrs["targets"]; ok {
		p.Targets, _ = d.refs(a, "group", "host")
		p.TargetsRange = a.Expr.Range()
	}
	if a, ok := attrs["reject"]; ok {
		p.Reject, _ = d.patterns(a)
	}
	if a, ok := attrs["pin"]; ok {
		p.Pin = d.pins(a)
	}
	if a, ok := attrs["window"]; ok {
		if r, good := d.ref(a.Expr, "window", "window"); good {
			p.Window = &r
		}
	}
	if a, ok := attrs["emergency"]; ok {
		p.Emergency, _ = d.boolean(a)
	}
	if a, ok := attrs["reboot"]; ok {
		if r, good := oneOf(d, a, RebootNever, RebootIfNeeded, RebootAlways); good {
			p.Reboot = r
		}
	}
	for _, b := range content.Blocks {
		switch b.Type {
		case "approve":
			p.Approve = append(p.Approve, d.decodeApprove(b, len(p.Approve)))
		case "exclude":
			p.Exclude = append(p.Exclude, d.decodeExclude(b, len(p.Exclude)))
		case "rollout":
			if p.Rollout != nil {
				d.errorf(b.DefRange, "Duplicate rollout block", "A policy has at most one rollout block; the first is at %s.", p.Rollout.DeclRange.String())
				continue
			}
			p.Rollout = d.decodeRollout(b)
		case "health_check":
			if hc := d.decodeHealthCheck(b); hc != nil {
				p.Health = append(p.Health, hc)
			}
		}
	}
	if len(p.Approve) == 0 && len(p.Pin) == 0 {
		d.diags = append(d.diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Policy approves nothing",
			Detail:   fmt.Sprintf("Policy %q has no approve block and no pin, so it never installs anything.", name),
			Subject:  &p.DeclRange,
		})
	}
}

func (d *decoder) pins(a *hcl.Attribute) []*Pin {
	m, ok := d.strMap(a)
	if !ok {
		return nil
	}
	places := entryRanges(a.Expr)
	var out []*Pin
	for _, pkg := range sortedKeys(m) {
		if m[pkg] == "" {
			d.errorf(a.Expr.Range(), "Invalid pin", "pin %q needs an exact version.", pkg)
			continue
		}
		pin := &Pin{Package: pkg, Version: m[pkg], Range: a.Expr.Range(), PackageRange: a.Expr.Range(), VersionRange: a.Expr.Range()}
		if r, ok := places[pkg]; ok {
			pin.PackageRange, pin.VersionRange = r[0], r[1]
		}
		out = append(out, pin)
	}
	return out
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

func (d *decoder) decodeApprove(b *hcl.Block, index int) *Approve {
	ap := &Approve{Index: index, DeclRange: b.DefRange}
	content, diags := b.Body.Content(approveSchema)
	d.add(diags)
	for name, a := range content.Attributes {
		switch name {
		case "classification":
			ap.Classification, _ = d.strList(a)
		case "severity":
			ap.Severity, _ = d.strList(a)
		case "packages":
			ap.Packages, _ = d.patterns(a)
		case "after":
			ap.After, ap.AfterText, _ = d.duration(a)
		case "until":
			ap.Until, ap.UntilText, _ = d.date(a)
		}
	}
	return ap
}

func (d *decoder) decodeExclude(b *hcl.Block, index int) *Exclude {
	ex := &Exclude{Index: index, DeclRange: b.DefRange}
	content, diags := b.Body.Content(excludeSchema)
	d.add(diags)
	for name, a := range content.Attributes {
		switch name {
		case "packages":
			ex.Packages, _ = d.patterns(a)
		case "targets":
			ex.Targets, _ = d.refs(a, "group", "host")
		case "until":
			ex.Until, ex.UntilText, _ = d.date(a)
		case "reason":
			if s, ok := d.str(a); ok {
				if strings.TrimSpace(s) == "" {
					d.errorf(a.Expr.Range(), "Missing reason", "An exclusion needs a reason, so the next reader knows why.")
				}
				ex.Reason = s
			}
		}
	}
	_, hasPkgs := content.Attributes["packages"]
	_, hasTargets := content.Attributes["targets"]
	if !hasPkgs && !hasTargets {
		d.errorf(b.DefRange, "Empty exclusion", "An exclude block needs packages, targets, or both.")
	}
	return ex
}

func (d *decoder) decodeHealthCheck(b *hcl.Block) *HealthCheck {
	kind := b.Labels[0]
	schema, ok := healthSchemas[kind]
	if !ok {
		d.errorf(b.LabelRanges[0], "Unknown health check type", "health_check type must be \"command\" or \"http\"; got %q.", kind)
		return nil
	}
	hc := &HealthCheck{Type: kind, DeclRange: b.DefRange}
	content, diags := b.Body.Content(schema)
	d.add(diags)
	for name, a := range content.Attributes {
		switch name {
		case "argv":
			if argv, ok := d.strList(a); ok {
				if len(argv) == 0 || argv[0] == "" {
					d.errorf(a.Expr.Range(), "Empty command", "argv needs at least the program to run.")
				}
				hc.Argv = argv
			}
		case "url":
			if u, ok := d.str(a); ok {
				if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
					d.errorf(a.Expr.Range(), "Invalid URL", "url must start with http:// or https://; got %q.", u)
				}
				hc.URL = u
			}
		case "expect_status":
			if s, ok := d.integer(a); ok {
				if s < 100 || s > 599 {
					d.errorf(a.Expr.Range(), "Invalid status", "expect_status must be an HTTP status code (100–599); got %d.", s)
				}
				hc.ExpectStatus = s
			}
		case "timeout":
			hc.Timeout, _, _ = d.duration(a)
		}
	}
	if hc.Type == "http" && hc.ExpectStatus == 0 {
		hc.ExpectStatus = 200
	}
	return hc
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

func validName(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', i > 0 && (r == '_' || r == '-' || r >= '0' && r <= '9'):
		default:
			return false
		}
	}
	return s != ""
}
