package model

// Status is the outcome of one action, as report.json, the apply journal
// and the provider protocol spell it.
type Status string

// Action statuses.
const (
	StatusSucceeded   Status = "succeeded"
	StatusFailed      Status = "failed"
	StatusSkipped     Status = "skipped"
	StatusInterrupted Status = "interrupted"
	// StatusRolledBack is a change that was made and then undone: the
	// host's health checks failed after the apply and the policy asked for
	// rollback (set by tend, never by a provider).
	StatusRolledBack Status = "rolled_back"
)

// ProviderAction is an Action as a provider is asked to carry it out and
// as the apply journal records it: what to change, without the planner's
// reasons.
type ProviderAction struct {
	ID      string `json:"id"` // e.g. "web_1/apt/openssl"
	Type    string `json:"type"`
	Package string `json:"package"`
	From    string `json:"from"`
	To      string `json:"to"`
}

// ProviderActions returns what a provider needs of each of actions, in
// order.
func ProviderActions(actions []Action) []ProviderAction {
	out := make([]ProviderAction, len(actions))
	for i, a := range actions {
		out[i] = ProviderAction{ID: a.ID, Type: a.Type, Package: a.Package, From: a.From, To: a.To}
	}
	return out
}

// ActionResult is the outcome of one action of an apply.
type ActionResult struct {
	ActionID string `json:"action_id"`
	Status   Status `json:"status"`
	Message  string `json:"message"`
}

// CompleteResults returns one result per action, in action order: the
// provider's result where it reported one (the last, if several), else
// missing with the action's ID. Results for actions not asked for are
// dropped.
func CompleteResults(actions []ProviderAction, results []ActionResult, missing ActionResult) []ActionResult {
	byID := make(map[string]ActionResult, len(results))
	for _, r := range results {
		byID[r.ActionID] = r
	}
	out := make([]ActionResult, 0, len(actions))
	for _, a := range actions {
		r, ok := byID[a.ID]
		if !ok {
			r = missing
			r.ActionID = a.ID
		}
		out = append(out, r)
	}
	return out
}

// NoResult is what an action a provider reported no result for counts as
// when nothing else explains it: failed.
func NoResult() ActionResult {
	return ActionResult{Status: StatusFailed, Message: "the provider reported no result for this action"}
}
