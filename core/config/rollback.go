package config

import "github.com/hashicorp/hcl/v2"

// decodePolicyRollback decodes a policy's rollback attribute: whether a
// host whose health checks fail after an apply gets its changed packages
// back at their previous versions. Rollback is judged by the health
// checks, so a policy that asks for it needs at least one.
func decodePolicyRollback(p *Policy, attrs hcl.Attributes) hcl.Diagnostics {
	a, ok := attrs["rollback"]
	if !ok {
		return nil
	}
	var diags hcl.Diagnostics
	p.Rollback, diags = attrBool(a)
	p.RollbackRange = a.Expr.Range()
	if p.Rollback && len(p.Health) == 0 {
		diags = append(diags, errorAt(a.Expr.Range(), "Rollback without health checks",
			"Policy %q asks for rollback, which happens when a health check fails after an apply; add a health_check block.", p.Name))
	}
	return diags
}
