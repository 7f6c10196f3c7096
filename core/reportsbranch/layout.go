package reportsbranch

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

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
	// ClientsDir holds one directory per client label, with that client's
	// SUMMARY.md and summary.json.
	ClientsDir = "clients"
	// ResultsFile lists the applies a commit records for the first time
	// (tend history reads it); a commit without new applies leaves the
	// previous one in place.
	ResultsFile = "results.json"
	// HTMLDir holds the HTML compliance report (tend serve --html).
	HTMLDir = "html"
)

// ClientDir is clients/<client>, the label escaped as a URL path segment
// (a "/" or space becomes %2F or %20, a leading "." %2E), so every label
// is one safe directory name and a Markdown link to it works as written.
func ClientDir(client string) string {
	seg := url.PathEscape(client)
	if strings.HasPrefix(seg, ".") {
		seg = "%2E" + seg[1:]
	}
	return ClientsDir + "/" + seg
}

// SnapshotPath is hosts/<host>/inventory.json.
func SnapshotPath(host string) string { return path.Join(HostsDir, host, SnapshotFile) }

// ReportPath is hosts/<host>/report.json.
func ReportPath(host string) string { return path.Join(HostsDir, host, ReportFile) }

// RolloutPath is rollouts/<policy>.json.
func RolloutPath(policy string) string { return RolloutsDir + "/" + policy + ".json" }

// ClientBranchSuffix joins the reports branch and a client in a per-client
// reports branch's name (ClientBranch).
const ClientBranchSuffix = "-clients"

// ClientBranch is the per-client reports branch of client beside the
// reports branch: <branch>-clients/<client>, e.g. tend/reports-clients/acme.
// It cannot be <branch>/<client>: Git cannot hold a ref and refs below it
// (tend/reports and tend/reports/acme). A client label may be any printable
// text, so every byte other than an ASCII letter, digit, "_" or "-" is
// escaped as %XX ("Acme Corp" gives Acme%20Corp): the name is always a
// valid ref, one path segment, and distinct for distinct labels.
func ClientBranch(branch, client string) string {
	var b strings.Builder
	for i := 0; i < len(client); i++ {
		c := client[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return branch + ClientBranchSuffix + "/" + b.String()
}
