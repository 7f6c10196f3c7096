package apply

import (
	"fmt"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// expected is the transaction h's provider must still find before it
// changes anything: the one the plan showed, when it was resolved. Nil
// (no check) when it was not (an offline plan without a recorded
// resolution of these actions, or a provider that does not resolve).
func expected(h model.HostPlan) []model.Change {
	if t := h.Transaction; t != nil && t.Status == model.TransactionResolved {
		return t.Changes
	}
	return nil
}

// blockedHosts are the results of the hosts whose transaction the plan
// blocked: nothing was installed, and the host failed with the reason. They
// do not count toward a rollout's max_failures: nothing was tried.
func blockedHosts(plan *model.Plan, now time.Time) []HostResult {
	var out []HostResult
	for _, h := range plan.Hosts {
		if h.Blocked() {
			out = append(out, HostResult{Host: h.Host, Provider: h.Provider, Policy: h.Policy, StartedAt: now, FinishedAt: now,
				Err: fmt.Errorf("transaction blocked, nothing installed: %s", h.Transaction.Reason)})
		}
	}
	return out
}
