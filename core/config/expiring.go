package config

import (
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Kinds of Expiry.
const (
	ExpiryApproval  = "approve"
	ExpiryExclusion = "exclude"
	ExpirySuspend   = "suspend"
)

// Expiry is a time-limited rule that ends soon: an approval, an exclusion
// or a suspension (what notifications announce as "expiring").
type Expiry struct {
	Kind string
	// Of names what the rule belongs to: `policy "p"` or `host "h"`;
	// Policy or Host is its name.
	Of           string
	Policy, Host string
	Until        time.Time
	UntilText    string
	Reason       string
	DeclRange    hcl.Range
}

// Expiring returns the approvals, exclusions and suspensions that still
// hold at now and end before now+within, soonest first.
func Expiring(c *Config, now time.Time, within time.Duration) []Expiry {
	var out []Expiry
	end := now.Add(within)
	add := func(x Expiry, until *time.Time) {
		if until != nil && now.Before(*until) && until.Before(end) {
			x.Until = *until
			out = append(out, x)
		}
	}
	for _, name := range sortedKeys(c.Policies) {
		p := c.Policies[name]
		of := fmt.Sprintf("policy %q", p.Name)
		for _, a := range p.Approve {
			add(Expiry{Kind: ExpiryApproval, Of: of, Policy: p.Name, UntilText: a.UntilText, DeclRange: a.DeclRange}, a.Until)
		}
		for _, e := range p.Exclude {
			add(Expiry{Kind: ExpiryExclusion, Of: of, Policy: p.Name, UntilText: e.UntilText, Reason: e.Reason, DeclRange: e.DeclRange}, e.Until)
		}
		if s := p.Suspend; s != nil {
			add(Expiry{Kind: ExpirySuspend, Of: of, Policy: p.Name, UntilText: s.UntilText, Reason: s.Reason, DeclRange: s.DeclRange}, s.Until)
		}
	}
	for _, name := range sortedKeys(c.Hosts) {
		if s := c.Hosts[name].Suspend; s != nil {
			add(Expiry{Kind: ExpirySuspend, Of: fmt.Sprintf("host %q", name), Host: name, UntilText: s.UntilText, Reason: s.Reason, DeclRange: s.DeclRange}, s.Until)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Until.Before(out[j].Until) })
	return out
}
