package model

import "time"

// ResultsFormatVersion is the format_version of results.json.
const ResultsFormatVersion = "1"

// Results is results.json on the reports branch: the applies a commit of
// the branch records for the first time, so tend history reads one small
// file per commit instead of every host's report.
type Results struct {
	FormatVersion string `json:"format_version"`
	// ConfigCommit is the configuration commit the reports were made
	// under (the commit's Tend-Config-Commit).
	ConfigCommit string      `json:"config_commit"`
	GeneratedAt  time.Time   `json:"generated_at"`
	Applies      []HostApply `json:"applies"`
}

// HostApply is one host's apply, with only the results not recorded
// before.
type HostApply struct {
	Host       string          `json:"host"`
	Client     string          `json:"client,omitempty"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt time.Time       `json:"finished_at"`
	Results    []AppliedAction `json:"results"`
}

// AppliedAction is one result of an apply with what the action was: its
// type, package and versions as planned (empty where tend no longer knew
// the plan, e.g. tend apply run by hand and reported later) and the policy
// that planned it.
type AppliedAction struct {
	ActionID string `json:"action_id"`
	Provider string `json:"provider"`
	Package  string `json:"package"`
	Type     string `json:"type"`
	From     string `json:"from"`
	To       string `json:"to"`
	Policy   string `json:"policy"`
	Status   Status `json:"status"`
	Message  string `json:"message"`
}
