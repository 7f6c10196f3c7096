package agentwire

import (
	"encoding/json"
	"time"
)

// Version is the wire format version every message carries; a receiver
// refuses a message of another major version.
const Version = "1"

// HeaderMsgID is JetStream's de-duplication header: results and scans carry
// a stable id so a message published twice (a retry after reconnect) is
// stored once.
const HeaderMsgID = "Nats-Msg-Id"

// DesiredState is one group's desired state, published by the controller
// with compare-and-swap on the subject's last sequence. It carries the whole
// configuration at one commit, so an agent can load it exactly as the
// controller did, judge windows and freezes while disconnected, and check
// its providers against the lock file.
type DesiredState struct {
	Version string `json:"version"`
	Group   string `json:"group"`
	// Revision increases by one with every change to the group's desired
	// state; agents compare it with theirs on reconnect and periodically.
	Revision     uint64    `json:"revision"`
	ConfigCommit string    `json:"config_commit"`
	PublishedAt  time.Time `json:"published_at"`
	// Files are the configuration files at ConfigCommit (path relative to
	// the configuration root, e.g. "main.tend.hcl", ".tend.lock.hcl", the
	// hosts files), so the agent loads the same configuration.
	Files map[string][]byte `json:"files"`
	// Hosts are the hosts of the group, so an agent knows it is declared.
	Hosts []string `json:"hosts"`
}

// Job asks one agent to apply its part of a plan.
type Job struct {
	Version string `json:"version"`
	// ID is unique per job and reused by its result (dedup id).
	ID           string `json:"id"`
	Host         string `json:"host"`
	Policy       string `json:"policy"`
	Ring         int    `json:"ring"`
	ConfigCommit string `json:"config_commit"`
	// Revision is the desired-state revision the plan was made from; an
	// agent that has not seen it reads the desired state first.
	Revision uint64 `json:"revision"`
	// Plan is a model.Plan holding this host only.
	Plan json.RawMessage `json:"plan"`
	// NotAfter is when the job is stale: an agent that gets it later does
	// not apply it and answers "expired".
	NotAfter time.Time `json:"not_after"`
}

// Result outcomes.
const (
	OutcomeApplied = "applied" // the apply ran; see Results for each action
	OutcomeRefused = "refused" // not applied: stale revision, lock mismatch, held by a window, expired
	OutcomeBusy    = "busy"    // another job is running on the host
)

// Result is what an agent did with a job. Published on ResultsSubject(host) with
// HeaderMsgID = "result-" + job id.
type Result struct {
	Version string `json:"version"`
	JobID   string `json:"job_id"`
	Host    string `json:"host"`
	Outcome string `json:"outcome"`
	// Reason explains a refused or busy outcome.
	Reason     string    `json:"reason,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// HostResults is the host's part of apply's report (one per provider),
	// in the JSON form of model.HostApply.
	HostResults json.RawMessage `json:"host_results,omitempty"`
	// Failed is set when anything on the host failed (apply.HostResult.Failed).
	Failed bool `json:"failed"`
	// Resumed is set when the agent finished a job interrupted by its own
	// restart, from its journal.
	Resumed bool `json:"resumed,omitempty"`
}

// Scan is an agent's inventory snapshot. Published on ScansSubject(host) with
// HeaderMsgID = "scan-" + host + "-" + ScannedAt in RFC 3339 nano.
type Scan struct {
	Version   string    `json:"version"`
	Host      string    `json:"host"`
	ScannedAt time.Time `json:"scanned_at"`
	// Snapshot is the host's inventory.json, exactly as tend scan writes it.
	Snapshot json.RawMessage `json:"snapshot"`
}

// Hello is an agent announcing itself: on connect, on reconnect and every
// heartbeat. The controller uses it to find unmanaged and stale agents.
type Hello struct {
	Version      string            `json:"version"`
	Host         string            `json:"host"`
	AgentVersion string            `json:"agent_version"`
	Groups       []string          `json:"groups"`
	Revisions    map[string]uint64 `json:"revisions"`
	Labels       map[string]string `json:"labels,omitempty"`
	// Facts describe the machine, so an unmanaged agent can be told
	// apart: "os" and "release" (/etc/os-release's ID and VERSION_ID),
	// "kernel" (uname release), "hostname", "arch" (GOARCH). Omitted by
	// agents that do not send them.
	Facts map[string]string `json:"facts,omitempty"`
	At    time.Time         `json:"at"`
	// Busy names the job the agent is running, if any.
	Busy string `json:"busy,omitempty"`
}
