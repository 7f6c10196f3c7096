package render

import (
	"io"
	"maps"
	"slices"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// ScanResultFormatVersion is the format_version of tend scan --json.
const ScanResultFormatVersion = "1"

// scanResult is the document tend scan --json prints (docs/cli.md, "Scan
// JSON").
type scanResult struct {
	FormatVersion string        `json:"format_version"`
	Out           string        `json:"out"`
	Hosts         []scanHost    `json:"hosts"`
	Summary       scanSummaryJS `json:"summary"`
}

type scanHost struct {
	Host string `json:"host"`
	// Status is "scanned" or "failed".
	Status    string     `json:"status"`
	ScannedAt *time.Time `json:"scanned_at"`
	// Providers names the providers the snapshot holds, sorted.
	Providers []string `json:"providers"`
	// Updates counts the updates the providers offer the host.
	Updates int    `json:"updates"`
	Error   string `json:"error,omitempty"`
}

type scanSummaryJS struct {
	Hosts   int `json:"hosts"`
	Scanned int `json:"scanned"`
	Failed  int `json:"failed"`
}

// ScanJSON writes what a scan did, host by host (sorted), for scripts:
// the snapshots written to out and the hosts that failed, with the cause.
func ScanJSON(w io.Writer, out string, snaps map[string]*model.Snapshot, failed map[string]error) error {
	doc := scanResult{FormatVersion: ScanResultFormatVersion, Out: out, Hosts: []scanHost{}}
	for _, h := range slices.Sorted(maps.Keys(snaps)) {
		s := snaps[h]
		at := seconds(s.ScannedAt)
		row := scanHost{Host: h, Status: "scanned", ScannedAt: &at, Providers: slices.Sorted(maps.Keys(s.Providers))}
		for _, p := range s.Providers {
			if p != nil {
				row.Updates += len(p.Available)
			}
		}
		doc.Hosts = append(doc.Hosts, row)
	}
	for h, err := range failed {
		doc.Hosts = append(doc.Hosts, scanHost{Host: h, Status: "failed", Providers: []string{}, Error: err.Error()})
	}
	slices.SortFunc(doc.Hosts, func(a, b scanHost) int {
		switch {
		case a.Host < b.Host:
			return -1
		case a.Host > b.Host:
			return 1
		}
		return 0
	})
	doc.Summary = scanSummaryJS{Hosts: len(doc.Hosts), Scanned: len(snaps), Failed: len(failed)}
	return writeJSON(w, &doc, "scan")
}
