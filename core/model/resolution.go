package model

import (
	"fmt"
	"time"
)

// Transaction statuses of a host plan: what is known of the transaction
// its package manager would carry out for the planned actions.
const (
	// TransactionResolved: resolved and within the policy; the actions go
	// ahead, and the provider checks at apply time that the transaction
	// is still Changes.
	TransactionResolved = "resolved"
	// TransactionBlocked: the transaction would change packages the policy
	// holds back, remove packages, or differs from the actions (or could
	// not be resolved at all); the actions were moved to skipped and
	// nothing is installed on the host.
	TransactionBlocked = "blocked"
	// TransactionUnresolved: an offline plan with no recorded resolution
	// of exactly these actions; dependencies are not checked.
	TransactionUnresolved = "unresolved"
	// TransactionUnsupported: the provider does not resolve transactions;
	// dependencies are not checked.
	TransactionUnsupported = "unsupported"
)

// Where a transaction's resolution comes from.
const (
	ResolvedLive     = "live"     // the provider resolved it for this plan
	ResolvedRecorded = "recorded" // the last resolution a scan recorded in the snapshot
)

// Transaction is what a host plan's actions amount to once the package
// manager resolved them: the whole transaction, the changes beyond the
// planned actions, and whether the policy lets it go ahead.
type Transaction struct {
	// Status is TransactionResolved, TransactionBlocked,
	// TransactionUnresolved or TransactionUnsupported.
	Status string `json:"status"`
	// Source is ResolvedLive or ResolvedRecorded; empty when nothing was
	// resolved.
	Source string `json:"source,omitempty"`
	// ResolvedAt is when the transaction was resolved (for an unresolved
	// one: when the recorded resolution, of other actions, was made).
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
	// Changes is the whole transaction, planned packages included, as the
	// package manager resolved it; apply hands it to the provider, which
	// installs nothing when its own resolution then differs.
	Changes []Change `json:"changes,omitempty"`
	// Extra are the changes beyond the planned actions (dependencies
	// pulled in, packages pushed out), sorted by package.
	Extra []Change `json:"extra,omitempty"`
	// Reason says why the transaction is blocked, unresolved or
	// unsupported.
	Reason string `json:"reason,omitempty"`
}

// Resolution is the last transaction a provider resolved for one host,
// kept in the inventory snapshot so offline plans can check against it:
// when, for which actions, and the changes.
type Resolution struct {
	ResolvedAt time.Time        `json:"resolved_at"`
	Actions    []ProviderAction `json:"actions"`
	Changes    []Change         `json:"changes"`
}

// Blocked reports whether h's transaction is blocked.
func (h *HostPlan) Blocked() bool {
	return h.Transaction != nil && h.Transaction.Status == TransactionBlocked
}

// BlockedHosts counts the host plans whose transaction is blocked.
func (p *Plan) BlockedHosts() int {
	n := 0
	for i := range p.Hosts {
		if p.Hosts[i].Blocked() {
			n++
		}
	}
	return n
}

// Text describes c: "liba 1.0 → 2.0", "liba 2.0 (new)", "liba 1.0
// (removed)".
func (c Change) Text() string {
	switch {
	case c.Kind == ChangeRemove:
		return fmt.Sprintf("%s %s (removed)", c.Package, c.From)
	case c.From == "":
		return fmt.Sprintf("%s %s (new)", c.Package, c.To)
	}
	return fmt.Sprintf("%s %s → %s", c.Package, c.From, c.To)
}
