package config

import "github.com/hashicorp/hcl/v2"

// What a policy lets a package manager's transaction do beyond the
// planned packages (the policy attributes dependencies and removals).
const (
	// TransactionBlock blocks a host's transaction when it would change a
	// package the policy rejects, excludes or pins to another version
	// (dependencies), or remove a package (removals). The default.
	TransactionBlock = "block"
	// TransactionAllow lets it (AWS's ALLOW_AS_DEPENDENCY).
	TransactionAllow = "allow"
)

// decodePolicyTransaction decodes what a host's transaction may do beyond
// the planned packages: change packages the policy holds back
// (dependencies) and remove packages (removals).
func decodePolicyTransaction(p *Policy, attrs hcl.Attributes) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, f := range []struct {
		name  string
		field *string
	}{{"dependencies", &p.Dependencies}, {"removals", &p.Removals}} {
		a, ok := attrs[f.name]
		if !ok {
			continue
		}
		v, more := attrOneOf(a, TransactionBlock, TransactionAllow)
		if !more.HasErrors() {
			*f.field = v
		}
		diags = append(diags, more...)
	}
	return diags
}
