package model

import (
	"strings"
	"time"
)

// ReportFormatVersion is the format_version of report.json.
const ReportFormatVersion = "1"

// Host compliance states, as they appear in report.json and summary.json.
const (
	HostCompliant    = "compliant"
	HostNonCompliant = "non_compliant"
	HostUnknown      = "unknown" // the host was never scanned
)

// Item compliance states, after AWS Systems Manager's vocabulary.
const (
	ItemInstalled              = "installed"
	ItemInstalledOther         = "installed_other" // installed at a version the policy does not require
	ItemInstalledPendingReboot = "installed_pending_reboot"
	ItemInstalledRejected      = "installed_rejected"
	ItemMissing                = "missing"
	ItemFailed                 = "failed"
	// ItemOverdue is an update that fixes a CVE past the remediation
	// deadline a policy sets (deadline blocks): missing, and late.
	ItemOverdue       = "overdue"
	ItemNotApplicable = "not_applicable"
	// ItemUngoverned stands for a host, or a provider of it, that no
	// policy targets (package UngovernedItem): nothing patches it, so the
	// host is not compliant.
	ItemUngoverned = "ungoverned"
)

// UngovernedItem is the package name of the item that stands for a host,
// or a provider of it, no policy targets.
const UngovernedItem = "(ungoverned)"

// Deferred causes (Deferred.Cause), set by the planner.
const (
	DeferDelay   = "delay"   // the approval delay has not passed
	DeferRing    = "ring"    // an earlier rollout ring has not finished or soaked
	DeferWindow  = "window"  // the maintenance window is closed
	DeferFreeze  = "freeze"  // a freeze holds every non-emergency change
	DeferSuspend = "suspend" // the policy or the host is suspended
)

// RebootItem is the package name of the item that stands for a provider's
// pending reboot.
const RebootItem = "(reboot)"

// Report is one host's compliance: the contract file hosts/<host>/report.json.
type Report struct {
	FormatVersion string `json:"format_version"`
	Host          string `json:"host"`
	ConfigCommit  string `json:"config_commit"`
	// Client is the host's "client" label; omitted when it has none.
	Client    string     `json:"client,omitempty"`
	ScannedAt *time.Time `json:"scanned_at"`
	State     string     `json:"state"`
	Items     []Item     `json:"items"`
	// InstalledKBs lists the knowledge-base updates installed on the host
	// (Windows Update's installed KBs), sorted; omitted when none.
	InstalledKBs []string `json:"installed_kbs,omitempty"`
	// LastApply is the last apply on this host; nil (null) when there was none.
	LastApply *LastApply `json:"last_apply"`
	// Errors are the plan's errors for this host (a pin its sources do not
	// offer, no inventory); a host with errors is never compliant. Omitted
	// when empty.
	Errors []string `json:"errors,omitempty"`
	// Agent is when the host's agent was last heard from, for agent hosts
	// in tend serve; omitted otherwise. See AgentStatus.
	Agent *AgentStatus `json:"agent,omitempty"`
}

// Item is the compliance of one package (or KB, or firmware) on a host.
// Installed is "" when nothing is installed; Required is "" when the policy
// requires no particular version.
type Item struct {
	Provider       string   `json:"provider"`
	Package        string   `json:"package"`
	Installed      string   `json:"installed"`
	Required       string   `json:"required"`
	State          string   `json:"state"`
	Classification string   `json:"classification"`
	CVEs           []string `json:"cves"`
	// KB is the update's knowledge-base id; it feeds the fleet summary and
	// is not part of report.json.
	KB string `json:"-"`
	// Title and Severity describe the missing update where its source
	// does (Windows Update's title and MSRC severity); omitted when empty.
	Title    string `json:"title,omitempty"`
	Severity string `json:"severity,omitempty"`
	// Detail explains a state the other fields do not, e.g. a package the
	// package manager left half-configured; omitted when empty.
	Detail string `json:"detail,omitempty"`
	// InstalledAt is when tend installed the installed version (the end of
	// the apply that did); omitted when tend did not, or nobody recorded it.
	InstalledAt *time.Time `json:"installed_at,omitempty"`
}

// LastApply is what the last apply on a host did.
type LastApply struct {
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt time.Time      `json:"finished_at"`
	Results    []ActionResult `json:"results"`
}

// FleetSummary is the fleet overview: the contract file summary.json.
type FleetSummary struct {
	GeneratedAt  time.Time `json:"generated_at"`
	ConfigCommit string    `json:"config_commit"`
	// Client, when set, scopes the summary to the hosts with this "client"
	// label (clients/<client>/summary.json); omitted in the fleet's.
	Client string `json:"client,omitempty"`
	Counts
	// Clients has the same counts per value of the hosts' "client" label;
	// "" collects hosts without one.
	Clients map[string]Counts `json:"clients"`
	// MissingByCVE and MissingByKB map a CVE or KB id to the sorted hosts
	// where an update fixing it is missing or failed.
	MissingByCVE map[string][]string `json:"missing_by_cve"`
	MissingByKB  map[string][]string `json:"missing_by_kb"`
	// MissingPatches lists each missing or failed update (by KB, else by
	// package) with what describes it and the hosts missing it, grouped
	// by client: the "Missing patches by KB" report. See MissingPatch.
	MissingPatches []MissingPatch `json:"missing_patches"`
	Failures       []Failure      `json:"failures"`
	PendingReboots []string       `json:"pending_reboots"`
	// HaltedRollouts names the policies whose rollout tend serve halted
	// after too many failures (empty outside the daemon).
	HaltedRollouts []string `json:"halted_rollouts"`
	// RecentlyInstalled lists what tend installed in the RecentWindow up to
	// generated_at and is still at that version, newest first.
	RecentlyInstalled []RecentInstall `json:"recently_installed"`
	// Warnings are the plan's warnings (groups and policies that select no
	// host, hosts no policy targets, stale snapshots, expired rules).
	Warnings []Warning `json:"warnings"`
	// Vulnerabilities lists the fleet's CVEs with the feeds' facts; absent
	// when the plan used no vulnerability feeds.
	Vulnerabilities *VulnSummary `json:"vulnerabilities,omitempty"`
	// Agents lists unmanaged agents and stale agent hosts; absent outside
	// tend serve's agent mode. See AgentPresence.
	Agents *AgentPresence `json:"agents,omitempty"`
}

// MissingPatch is one update missing (or failed) on some hosts. ID is its
// KB where it has one, else its package name. Title, Severity and
// Classification are the first non-empty ones among the hosts' items; CVEs
// is their union, sorted. Hosts is sorted; Clients maps each client label
// ("" for hosts without one) to its sorted hosts among them. Failed counts
// the hosts where its last install failed. Sorted by severity (Critical,
// Important, Moderate, Low, none), then most hosts, provider and ID.
type MissingPatch struct {
	ID             string              `json:"id"`
	Provider       string              `json:"provider"`
	Title          string              `json:"title"`
	Severity       string              `json:"severity"`
	Classification string              `json:"classification"`
	CVEs           []string            `json:"cves"`
	Hosts          []string            `json:"hosts"`
	Failed         int                 `json:"failed"`
	Clients        map[string][]string `json:"clients"`
}

// RecentWindow is how far back summary.json's recently_installed looks.
const RecentWindow = 30 * 24 * time.Hour

// RecentInstall is one package tend installed recently on a host.
type RecentInstall struct {
	Host        string    `json:"host"`
	Provider    string    `json:"provider"`
	Package     string    `json:"package"`
	Version     string    `json:"version"`
	InstalledAt time.Time `json:"installed_at"`
}

// Counts counts hosts by compliance state. CompliancePercent is compliant
// hosts over scanned (compliant + non-compliant) hosts × 100, rounded half
// away from zero to one decimal; 0 when no host was scanned.
type Counts struct {
	Hosts             int     `json:"hosts"`
	Compliant         int     `json:"compliant"`
	NonCompliant      int     `json:"non_compliant"`
	Unknown           int     `json:"unknown"`
	CompliancePercent float64 `json:"compliance_percent"`
	// Ungoverned counts the hosts (among the non-compliant) that no
	// policy, or no policy for one of their providers, targets.
	Ungoverned int `json:"ungoverned"`
}

// Failure is one failed or interrupted action of a host's last apply.
type Failure struct {
	Host     string `json:"host"`
	ActionID string `json:"action_id"`
	Message  string `json:"message"`
}

// SeverityRank orders severities, the most severe first, in MSRC's words
// (Critical, Important, Moderate, Low) or CVSS's (critical, high, medium,
// low), whatever the case; any other value (none) ranks last.
func SeverityRank(s string) int {
	switch strings.ToLower(s) {
	case "critical":
		return 0
	case "important", "high":
		return 1
	case "moderate", "medium":
		return 2
	case "low":
		return 3
	}
	return 4
}
