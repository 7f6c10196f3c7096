package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
)

// ReportText writes the human compliance view: one line per host (state,
// missing, failed and rejected counts, pending reboot, installed count,
// plan errors), then the fleet line
// "Compliance: 61.5% (8 of 13 hosts)", counted over scanned hosts.
func ReportText(w io.Writer, reports []model.Report, s *model.FleetSummary) error {
	if s == nil {
		return errNilReport
	}
	var b strings.Builder
	rows := make([][]string, 0, len(reports))
	for i := range reports {
		r := &reports[i]
		rows = append(rows, []string{r.Host, r.State, itemCounts(r)})
	}
	for _, line := range columns(rows) {
		b.WriteString(line + "\n")
	}
	if len(rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString(fleetLine(&s.Counts) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// itemCounts describes what keeps a host from compliance, and what the
// policies have installed, e.g. "2 missing, 1 failed, pending reboot, 3
// installed, 1 plan error".
func itemCounts(r *model.Report) string {
	if r.State == model.HostUnknown {
		return "not scanned"
	}
	if len(r.Items) > 0 && all(r.Items, model.ItemUngoverned) {
		return "ungoverned: " + r.Items[0].Detail
	}
	n := map[string]int{}
	for _, it := range r.Items {
		n[it.State]++
	}
	var parts []string
	for _, st := range []string{model.ItemMissing, model.ItemFailed, model.ItemInstalledRejected} {
		if n[st] > 0 || st != model.ItemInstalledRejected {
			parts = append(parts, fmt.Sprintf("%s %s", commas(n[st]), strings.TrimPrefix(st, "installed_")))
		}
	}
	if n[model.ItemOverdue] > 0 {
		parts = append(parts, commas(n[model.ItemOverdue])+" overdue")
	}
	if n[model.ItemInstalledPendingReboot] > 0 {
		parts = append(parts, "pending reboot")
	}
	if n[model.ItemInstalled] > 0 {
		parts = append(parts, commas(n[model.ItemInstalled])+" installed")
	}
	if n[model.ItemUngoverned] > 0 {
		parts = append(parts, "ungoverned")
	}
	if len(r.Errors) > 0 {
		parts = append(parts, commas(len(r.Errors))+" plan "+words.Plural(len(r.Errors), "error", "errors"))
	}
	return strings.Join(parts, ", ")
}

// all reports whether every item is in state.
func all(items []model.Item, state string) bool {
	for _, it := range items {
		if it.State != state {
			return false
		}
	}
	return true
}

// fleetLine is "Compliance: 61.5% (8 of 13 hosts)", with the hosts never
// scanned (left out of the percentage) counted after it.
func fleetLine(c *model.Counts) string {
	scanned := c.Compliant + c.NonCompliant
	s := fmt.Sprintf("Compliance: %.1f%% (%s of %s %s)", c.CompliancePercent,
		commas(c.Compliant), commas(scanned), words.Plural(scanned, "host", "hosts"))
	if c.Ungoverned > 0 {
		s += fmt.Sprintf("; %s ungoverned", commas(c.Ungoverned))
	}
	if c.Unknown > 0 {
		s += fmt.Sprintf("; %s not scanned", commas(c.Unknown))
	}
	return s
}
