package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Reboot behaviours of a policy.
const (
	RebootNever    = "never"
	RebootIfNeeded = "if_needed"
	RebootAlways   = "always"
)

// Policy is a `policy` block: which hosts, which updates, when and how.
type Policy struct {
	Name     string
	Provider string
	Targets  []Ref
	Approve  []*Approve
	Reject   []Pattern
	Pin      []*Pin
	Exclude  []*Exclude
	// Window is the first of Windows (nil when there is none): the window
	// a policy with one window names.
	Window *Ref
	// Windows are the windows the policy acts in: any open one lets it
	// act. Empty means always open.
	Windows   []Ref
	Emergency bool
	Reboot    string
	Rollout   *Rollout
	Health    []*HealthCheck
	// Rollback returns a host's changed packages to their previous
	// versions when its health checks fail after an apply.
	Rollback bool
	// Suspend, when set and not expired, stops every apply of the policy.
	Suspend *Suspend
	// Hooks run on each host the policy applies to, by phase, in order.
	Hooks []*Hook
	// FastLane lets updates fixing matching CVEs skip the window and the
	// soak; nil without a fast_lane block.
	FastLane *FastLane
	// Deadlines are the remediation deadlines, in the order written.
	Deadlines []*Deadline
	// Advisories are the advisory blocks naming this policy, by name: each
	// adds an approve block (in Approve) and a fast lane for its CVE.
	Advisories []*Advisory

	// Dependencies and Removals say whether a host's transaction may
	// change packages the policy holds back, and remove packages:
	// TransactionBlock (default) or TransactionAllow.
	Dependencies string
	Removals     string

	// Hosts are the resolved target host names, sorted.
	Hosts         []string
	ProviderRange hcl.Range
	TargetsRange  hcl.Range
	RollbackRange hcl.Range
	DeclRange     hcl.Range
}

var policySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "provider", Required: true}, {Name: "targets", Required: true},
		{Name: "reject"}, {Name: "pin"}, {Name: "window"}, {Name: "emergency"}, {Name: "reboot"},
		{Name: "rollback"}, {Name: "dependencies"}, {Name: "removals"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "approve"}, {Type: "exclude"}, {Type: "rollout"},
		{Type: "health_check", LabelNames: []string{"type"}},
		{Type: "suspend"}, {Type: "hook", LabelNames: []string{"phase"}},
		{Type: "fast_lane"}, {Type: "deadline"},
	},
}

// decodePolicy decodes a policy block and the blocks nested in it. Its
// references (targets, window) are checked once every file is decoded.
func decodePolicy(block *hcl.Block) (*Policy, hcl.Diagnostics) {
	p := &Policy{Name: block.Labels[0], Reboot: RebootIfNeeded, DeclRange: block.DefRange,
		Dependencies: TransactionBlock, Removals: TransactionBlock}
	content, diags := block.Body.Content(policySchema)
	diags = append(diags, decodePolicyScope(p, content.Attributes)...)
	diags = append(diags, decodePolicyUpdates(p, content.Attributes)...)
	diags = append(diags, decodePolicyTiming(p, content.Attributes)...)
	diags = append(diags, decodePolicyTransaction(p, content.Attributes)...)
	diags = append(diags, decodePolicyBlocks(p, content.Blocks)...)
	diags = append(diags, decodePolicyRollback(p, content.Attributes)...)
	if len(p.Approve) == 0 && len(p.Pin) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Policy approves nothing",
			Detail:   fmt.Sprintf("Policy %q has no approve block and no pin, so it never installs anything.", p.Name),
			Subject:  p.DeclRange.Ptr(),
		})
	}
	return p, diags
}

// decodePolicyScope decodes which provider a policy drives on which hosts
// (provider, targets).
func decodePolicyScope(p *Policy, attrs hcl.Attributes) hcl.Diagnostics {
	var diags, more hcl.Diagnostics
	if a, ok := attrs["provider"]; ok {
		p.Provider, more = attrString(a)
		p.ProviderRange = a.Expr.Range()
		if p.Provider != "" && !validName(p.Provider) {
			more = append(more, errorAt(a.Expr.Range(), "Invalid provider name", "%q is not a provider name such as \"apt\".", p.Provider))
		}
		diags = append(diags, more...)
	}
	if a, ok := attrs["targets"]; ok {
		p.Targets, more = attrRefs(a, "group", "host")
		p.TargetsRange = a.Expr.Range()
		diags = append(diags, more...)
	}
	return diags
}

// decodePolicyUpdates decodes the updates a policy never installs
// (reject) and the versions it holds packages at (pin).
func decodePolicyUpdates(p *Policy, attrs hcl.Attributes) hcl.Diagnostics {
	var diags, more hcl.Diagnostics
	if a, ok := attrs["reject"]; ok {
		p.Reject, more = attrRejects(a)
		diags = append(diags, more...)
	}
	if a, ok := attrs["pin"]; ok {
		p.Pin, more = attrPins(a)
		diags = append(diags, more...)
	}
	return diags
}

// decodePolicyTiming decodes when and how a policy applies updates
// (window, emergency, reboot).
func decodePolicyTiming(p *Policy, attrs hcl.Attributes) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if a, ok := attrs["window"]; ok {
		var more hcl.Diagnostics
		p.Windows, more = attrWindows(a)
		if len(p.Windows) > 0 {
			p.Window = &p.Windows[0]
		}
		diags = append(diags, more...)
	}
	if a, ok := attrs["emergency"]; ok {
		var more hcl.Diagnostics
		p.Emergency, more = attrBool(a)
		diags = append(diags, more...)
	}
	if a, ok := attrs["reboot"]; ok {
		r, more := attrOneOf(a, RebootNever, RebootIfNeeded, RebootAlways)
		if !more.HasErrors() {
			p.Reboot = r
		}
		diags = append(diags, more...)
	}
	return diags
}

// attrWindows decodes a policy's window: one reference (window.a) or a
// list of them ([window.a, window.b]), each named once.
func attrWindows(a *hcl.Attribute) ([]Ref, hcl.Diagnostics) {
	if _, diags := hcl.ExprList(a.Expr); diags.HasErrors() {
		r, diags := exprRef(a.Expr, "window", "window")
		if diags.HasErrors() {
			return nil, diags
		}
		return []Ref{r}, nil
	}
	refs, diags := attrRefs(a, "window")
	seen := map[string]bool{}
	out := refs[:0]
	for _, r := range refs {
		if seen[r.Name] {
			diags = append(diags, errorAt(r.Range, "Duplicate window", "window.%s is named twice in this list.", r.Name))
			continue
		}
		seen[r.Name] = true
		out = append(out, r)
	}
	if len(out) == 0 && !diags.HasErrors() {
		diags = append(diags, errorAt(a.Expr.Range(), "Empty window list", "window = [] would never open; name at least one window, or leave window out (always open)."))
	}
	return out, diags
}

// decodePolicyBlocks decodes the approve, exclude, rollout (at most one)
// and health_check blocks of a policy, in the order they are written.
func decodePolicyBlocks(p *Policy, blocks hcl.Blocks) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		var more hcl.Diagnostics
		switch b.Type {
		case "approve":
			var ap *Approve
			ap, more = decodeApprove(b, len(p.Approve))
			p.Approve = append(p.Approve, ap)
		case "exclude":
			var ex *Exclude
			ex, more = decodeExclude(b, len(p.Exclude))
			p.Exclude = append(p.Exclude, ex)
		case "rollout":
			if p.Rollout != nil {
				more = hcl.Diagnostics{errorAt(b.DefRange, "Duplicate rollout block", "A policy has at most one rollout block; the first is at %s.", pos(p.Rollout.DeclRange))}
				break
			}
			p.Rollout, more = decodeRollout(b)
		case "fast_lane":
			if p.FastLane != nil {
				more = hcl.Diagnostics{errorAt(b.DefRange, "Duplicate fast_lane block", "A policy has at most one fast_lane block; the first is at %s.", pos(p.FastLane.DeclRange))}
				break
			}
			p.FastLane, more = decodeFastLane(b)
		case "deadline":
			var d *Deadline
			d, more = decodeDeadline(b, len(p.Deadlines))
			p.Deadlines = append(p.Deadlines, d)
		case "health_check":
			var hc *HealthCheck
			if hc, more = decodeHealthCheck(b); hc != nil {
				p.Health = append(p.Health, hc)
			}
		case "suspend":
			if p.Suspend != nil {
				more = hcl.Diagnostics{errorAt(b.DefRange, "Duplicate suspend block", "A policy has at most one suspend block; the first is at %s.", pos(p.Suspend.DeclRange))}
				break
			}
			p.Suspend, more = decodeSuspends(hcl.Blocks{b})
		case "hook":
			var h *Hook
			if h, more = decodeHook(b, func(phase string) int { return len(p.HooksOf(phase)) }); h != nil {
				p.Hooks = append(p.Hooks, h)
			}
		}
		diags = append(diags, more...)
	}
	return diags
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
