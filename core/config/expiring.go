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
	// Of names what the rule belongs to: `policy "p"` or `host "h"`.
	Of        string
	Until     time.Time
	UntilText string
	Reason    string
	DeclRange hcl.Range
}

// Expiring returns the approvals, exclusions and suspensions that still
// hold at now and end before now+within, soonest first.
func Expiring(c *Config, now time.Time, within time.Duration) []Expiry {
	var out []Expiry
	end := now.Add(within)
	add := func(kind, of string, until *time.Time, text, reason string, rng hcl.Range) {
		if until != nil && now.Before(*until) && until.Before(end) {
			out = append(out, Expiry{Kind: kind, Of: of, Until: *until, UntilText: text, Reason: reason, DeclRange: rng})
		}
	}
	for _, name := range sortedKeys(c.Policies) {
		p := c.Policies[name]
		of := fmt.Sprintf("policy %q", p.Name)
		for _, a := range p.Approve {
			add(ExpiryApproval, of, a.Until, a.UntilText, "", a.DeclRange)
		}
		for _, e := range p.Exclude {
			add(ExpiryExclusion, of, e.Until, e.UntilText, e.Reason, e.DeclRange)
		}
		if s := p.Suspend; s != nil {
			add(ExpirySuspend, of, s.Until, s.UntilText, s.Reason, s.DeclRange)
		}
	}
	for _, name := range sortedKeys(c.Hosts) {
		if s := c.Hosts[name].Suspend; s != nil {
			add(ExpirySuspend, fmt.Sprintf("host %q", name), s.Until, s.UntilText, s.Reason, s.DeclRange)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Until.Before(out[j].Until) })
	return out
}
