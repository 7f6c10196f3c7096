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
