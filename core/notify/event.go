package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Event kinds, as only_on names them.
const (
	KindConfigRejected    = "config_rejected"
	KindApplyFailed       = "apply_failed"
	KindRolloutHalted     = "rollout_halted"
	KindScanFailed        = "scan_failed"
	KindHealthCheckFailed = "health_check_failed"
	KindDrift             = "drift"
	KindRebootPending     = "reboot_pending"
	KindExclusionExpiring = "exclusion_expiring"
	KindSuspendExpiring   = "suspend_expiring"
	KindStale             = "stale"
	// KindUnmanagedAgent is an agent running for a host no configuration
	// declares; KindAgentStale a declared agent host whose agent went
	// silent (core/fleet's presence).
	KindUnmanagedAgent = "unmanaged_agent"
	KindAgentStale     = "agent_stale"
)

// Kinds are the event kinds, in the order the docs list them.
var Kinds = []string{KindConfigRejected, KindApplyFailed, KindRolloutHalted, KindScanFailed,
	KindHealthCheckFailed, KindDrift, KindRebootPending, KindExclusionExpiring, KindSuspendExpiring, KindStale,
	KindUnmanagedAgent, KindAgentStale}

// Severities, lowest first.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// severityRank orders severities; unknown ones rank lowest.
func severityRank(s string) int {
	return slices.Index([]string{SeverityInfo, SeverityWarning, SeverityCritical}, s)
}

// Event is one condition worth telling someone about. Its JSON form is
// what a generic webhook receives (docs/operations.md).
type Event struct {
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	// Host and Policy say what the event is about; either may be empty
	// (a rejected configuration is about neither).
	Host   string `json:"host,omitempty"`
	Policy string `json:"policy,omitempty"`
	// Subject tells apart events of one kind, host and policy (the
	// exclusion's index, the package that drifted).
	Subject string `json:"subject,omitempty"`
	// Labels are the host's labels (the labels all of a policy's hosts
	// share, for a policy's event); routing matches them.
	Labels map[string]string `json:"labels,omitempty"`
	// Summary is one line; Details are more lines (diagnostics, failed
	// actions with their messages).
	Summary string   `json:"summary"`
	Details []string `json:"details,omitempty"`
	// ConfigCommit is the configuration's commit the event was seen under.
	ConfigCommit string    `json:"config_commit,omitempty"`
	At           time.Time `json:"at"`
	// Since is when the condition was first seen (kept while it lasts);
	// Until when an expiring exclusion or suspend ends.
	Since *time.Time `json:"since,omitempty"`
	Until *time.Time `json:"until,omitempty"`
	// State is what decides whether the condition changed: an event is
	// sent again only when it differs. Empty means Summary and Details.
	State string `json:"-"`
}

// Key names the condition: one message per key until it changes.
func (e *Event) Key() string {
	return strings.Join([]string{e.Kind, e.Policy, e.Host, e.Subject}, "/")
}

// Fingerprint is a digest of the condition's state.
func (e *Event) Fingerprint() string {
	s := e.State
	if s == "" {
		s = e.Summary + "\x00" + strings.Join(e.Details, "\x00")
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// Title is the event's kind in words, for message headings.
func Title(kind string) string {
	switch kind {
	case KindConfigRejected:
		return "Configuration rejected"
	case KindApplyFailed:
		return "Apply failed"
	case KindRolloutHalted:
		return "Rollout halted"
	case KindScanFailed:
		return "Host failing to scan"
	case KindHealthCheckFailed:
		return "Health check failed"
	case KindDrift:
		return "Drift"
	case KindRebootPending:
		return "Reboot pending"
	case KindExclusionExpiring:
		return "Exclusion expiring"
	case KindSuspendExpiring:
		return "Suspend expiring"
	case KindStale:
		return "Host stale"
	case KindUnmanagedAgent:
		return "Unmanaged agent"
	case KindAgentStale:
		return "Agent silent"
	}
	return kind
}
