package reportsbranch

import "path"

// The reports branch layout (DESIGN.md section 6, a contract): every file
// tend serve commits, and tend report --out writes under a directory,
// named once. Paths are slash-separated and relative to the branch's root.
const (
	// SummaryMarkdownFile is the fleet overview a reviewer reads.
	SummaryMarkdownFile = "SUMMARY.md"
	// SummaryJSONFile is the fleet summary for machines.
	SummaryJSONFile = "summary.json"
	// StatusFile says which configuration commit governs and why the
	// head's was rejected, if it was.
	StatusFile = "status.json"
	// HostsDir holds one directory per host.
	HostsDir = "hosts"
	// SnapshotFile is a host's last inventory snapshot in its directory;
	// tend scan's DIR/<host>/ directories use the same name.
	SnapshotFile = "inventory.json"
	// ReportFile is a host's compliance and last apply in its directory.
	ReportFile = "report.json"
	// RolloutsDir holds one ring progress file per policy.
	RolloutsDir = "rollouts"
	// HTMLDir holds the HTML compliance report (tend serve --html).
	HTMLDir = "html"
)

// SnapshotPath is hosts/<host>/inventory.json.
func SnapshotPath(host string) string { return path.Join(HostsDir, host, SnapshotFile) }

// ReportPath is hosts/<host>/report.json.
func ReportPath(host string) string { return path.Join(HostsDir, host, ReportFile) }

// RolloutPath is rollouts/<policy>.json.
func RolloutPath(policy string) string { return RolloutsDir + "/" + policy + ".json" }
