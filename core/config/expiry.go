package config

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// ExpiredAt reports whether the approval no longer applies at now: its
// until has passed.
func (a *Approve) ExpiredAt(now time.Time) bool { return a.Until != nil && !now.Before(*a.Until) }

// ExpiredAt reports whether the exclusion no longer applies at now.
func (e *Exclude) ExpiredAt(now time.Time) bool { return e.Until != nil && !now.Before(*e.Until) }

// ExpiredText says that the approval, of policy, expired; tend plan and
// tend validate warn in these words.
func (a *Approve) ExpiredText(policy string) string {
	if a.Advisory != "" {
		return fmt.Sprintf("advisory %q for policy %q expired (until %s); it no longer approves or fast-tracks anything: remove its file", a.Advisory, policy, a.UntilText)
	}
	return fmt.Sprintf("approve[%d] of policy %q expired (until %s); it no longer approves anything", a.Index, policy, a.UntilText)
}

// ExpiredText says that the exclusion, of policy, expired.
func (e *Exclude) ExpiredText(policy string) string {
	return fmt.Sprintf("exclusion of policy %q expired (until %s, %q); it no longer applies", policy, e.UntilText, e.Reason)
}

// Expired returns a warning at every approve, exclude and suspend block
// whose until has passed at now, in policy order: what tend plan warns about, for tend
// validate to say too.
func Expired(c *Config, now time.Time) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range slices.Sorted(maps.Keys(c.Policies)) {
		p := c.Policies[name]
		for _, a := range p.Approve {
			if a.ExpiredAt(now) {
				diags = append(diags, warningAt(a.DeclRange, "Expired approval", a.ExpiredText(p.Name)+"."))
			}
		}
		for _, e := range p.Exclude {
			if e.ExpiredAt(now) {
				diags = append(diags, warningAt(e.DeclRange, "Expired exclusion", e.ExpiredText(p.Name)+"."))
			}
		}
		if p.Suspend.ExpiredAt(now) {
			diags = append(diags, warningAt(p.Suspend.DeclRange, "Expired suspension", p.Suspend.ExpiredText(fmt.Sprintf("policy %q", p.Name))+"."))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Hosts)) {
		if s := c.Hosts[name].Suspend; s.ExpiredAt(now) {
			diags = append(diags, warningAt(s.DeclRange, "Expired suspension", s.ExpiredText(fmt.Sprintf("host %q", name))+"."))
		}
	}
	return diags
}

// warningAt is a warning diagnostic about what is at rng.
func warningAt(rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: detail, Subject: &rng}
}
