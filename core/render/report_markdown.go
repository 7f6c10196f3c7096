package render

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/model"
)

// Caps that keep SUMMARY.md small whatever the fleet.
const (
	sumRows      = 50  // rows per table (CVEs, KBs, failures, clients, hosts)
	sumHostNames = 5   // host names shown per CVE or KB row
	sumReboots   = 100 // hosts listed as pending a reboot
	sumMessage   = 200 // characters of a failure message
)

// SummaryMarkdown writes the fleet overview SUMMARY.md: the compliance
// percentage and counts, a table per client, the missing patches by CVE and
// by KB (most hosts first), the failures of the last applies, the installed
// packages the policies reject, what tend installed recently, the hosts
// pending a reboot and the non-compliant hosts. Every list is capped (what
// is left out is counted as "… N more"), so the file stays small.
func SummaryMarkdown(w io.Writer, s *model.FleetSummary, reports []model.Report) error {
	if s == nil {
		return errNilReport
	}
	var b strings.Builder
	b.WriteString("# tend compliance\n\n**" + fleetLine(&s.Counts) + "**\n\n")
	b.WriteString(fmt.Sprintf("%s compliant · %s non-compliant · %s not scanned",
		commas(s.Compliant), commas(s.NonCompliant), commas(s.Unknown)))
	if s.Ungoverned > 0 {
		b.WriteString(fmt.Sprintf(" · %s ungoverned (no policy targets them)", commas(s.Ungoverned)))
	}
	b.WriteString("\n\n")
	origin := []string{}
	if s.ConfigCommit != "" {
		origin = append(origin, "config "+mdText(commitid.Abbrev(s.ConfigCommit)))
	}
	origin = append(origin, "generated "+formatTime(s.GeneratedAt))
	b.WriteString(strings.Join(origin, " · ") + "\n")

	warningList(&b, s.Warnings)
	clientTable(&b, s.Clients)
	idTable(&b, "Missing patches by CVE", "CVE", s.MissingByCVE)
	idTable(&b, "Missing patches by KB", "KB", s.MissingByKB)
	if len(s.HaltedRollouts) > 0 {
		b.WriteString("\n## Halted rollouts\n\n")
		b.WriteString("More hosts failed than `max_failures` allows; these policies apply nothing more until a new configuration commit: " +
			mdText(strings.Join(s.HaltedRollouts, ", ")) + "\n")
	}
	failureTable(&b, s.Failures)
	rejectedTable(&b, reports)
	recentTable(&b, s.RecentlyInstalled)
	if len(s.PendingReboots) > 0 {
		b.WriteString("\n## Pending reboots\n\n")
		b.WriteString(nameList(s.PendingReboots, sumReboots) + "\n")
	}
	hostTable(&b, reports)
	_, err := io.WriteString(w, b.String())
	return err
}

func clientTable(b *strings.Builder, clients map[string]model.Counts) {
	if len(clients) == 0 || (len(clients) == 1 && clients[""].Hosts > 0) {
		return // no client labels: the heading says it all
	}
	names := make([]string, 0, len(clients))
	for k := range clients {
		names = append(names, k)
	}
	sort.Strings(names)
	b.WriteString("\n## Per client\n\n| client | compliance | hosts | compliant | non-compliant | not scanned |\n|---|--:|--:|--:|--:|--:|\n")
	for i, k := range names {
		if i == sumRows {
			b.WriteString(moreRow(len(names)-i, 6))
			break
		}
		c := clients[k]
		name := "(none)"
		if k != "" {
			name = mdText(k)
		}
		fmt.Fprintf(b, "| %s | %.1f%% | %s | %s | %s | %s |\n", name, c.CompliancePercent,
			commas(c.Hosts), commas(c.Compliant), commas(c.NonCompliant), commas(c.Unknown))
	}
}

// idTable lists CVE or KB ids by the number of hosts missing them, most
// first, then by id.
func idTable(b *strings.Builder, title, col string, m map[string][]string) {
	if len(m) == 0 {
		return
	}
	ids := make([]string, 0, len(m))
	for k := range m {
		ids = append(ids, k)
	}
	sort.Slice(ids, func(i, j int) bool {
		if len(m[ids[i]]) != len(m[ids[j]]) {
			return len(m[ids[i]]) > len(m[ids[j]])
		}
		return ids[i] < ids[j]
	})
	fmt.Fprintf(b, "\n## %s\n\n| %s | hosts | where |\n|---|--:|---|\n", title, col)
	for i, id := range ids {
		if i == sumRows {
			b.WriteString(moreRow(len(ids)-i, 3))
			break
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", mdText(id), commas(len(m[id])), nameList(m[id], sumHostNames))
	}
}

func failureTable(b *strings.Builder, failures []model.Failure) {
	if len(failures) == 0 {
		return
	}
	b.WriteString("\n## Failures\n\n| host | action | message |\n|---|---|---|\n")
	for i, f := range failures {
		if i == sumRows {
			b.WriteString(moreRow(len(failures)-i, 3))
			break
		}
		msg := f.Message
		if r := []rune(msg); len(r) > sumMessage {
			msg = string(r[:sumMessage]) + "…"
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", mdText(f.Host), mdText(f.ActionID), orDash(mdText(msg)))
	}
}

// rejectedTable lists the installed packages a policy rejects, by host.
func rejectedTable(b *strings.Builder, reports []model.Report) {
	var rows [][3]string
	for _, r := range reports {
		for _, it := range r.Items {
			if it.State == model.ItemInstalledRejected {
				rows = append(rows, [3]string{r.Host, it.Provider + "/" + it.Package, it.Installed})
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("\n## Rejected packages installed\n\n| host | package | version |\n|---|---|---|\n")
	for i, row := range rows {
		if i == sumRows {
			b.WriteString(moreRow(len(rows)-i, 3))
			break
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", mdText(row[0]), mdText(row[1]), orDash(mdText(row[2])))
	}
}

// recentTable lists what tend installed in the last model.RecentWindow,
// newest first.
func recentTable(b *strings.Builder, recent []model.RecentInstall) {
	if len(recent) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Recently installed (%d days)\n\n| installed | host | package | version |\n|---|---|---|---|\n",
		int(model.RecentWindow.Hours()/24))
	for i, ri := range recent {
		if i == sumRows {
			b.WriteString(moreRow(len(recent)-i, 4))
			break
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", formatTime(ri.InstalledAt), mdText(ri.Host),
			mdText(ri.Provider+"/"+ri.Package), orDash(mdText(ri.Version)))
	}
}

// warningList lists the plan's warnings, capped at sumRows.
func warningList(b *strings.Builder, warns []model.Warning) {
	if len(warns) == 0 {
		return
	}
	b.WriteString("\n## Warnings\n\n")
	for i, w := range warns {
		if i == sumRows {
			fmt.Fprintf(b, "- … %s more\n", commas(len(warns)-i))
			break
		}
		if w.Where != "" {
			fmt.Fprintf(b, "- %s: %s\n", mdText(w.Where), mdText(w.Message))
		} else {
			fmt.Fprintf(b, "- %s\n", mdText(w.Message))
		}
	}
}

// hostTable lists the hosts that are not compliant, unknown ones last.
func hostTable(b *strings.Builder, reports []model.Report) {
	var rows []*model.Report
	for i := range reports {
		if reports[i].State != model.HostCompliant {
			rows = append(rows, &reports[i])
		}
	}
	if len(rows) == 0 {
		return
	}
	sort.SliceStable(rows, func(i, j int) bool {
		return rows[i].State == model.HostNonCompliant && rows[j].State != model.HostNonCompliant
	})
	b.WriteString("\n## Hosts not compliant\n\n| host | state | why |\n|---|---|---|\n")
	for i, r := range rows {
		if i == sumRows {
			b.WriteString(moreRow(len(rows)-i, 3))
			break
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", mdText(r.Host), r.State, itemCounts(r))
	}
}

// nameList joins up to n names, counting the rest: "a, b … 3 more".
func nameList(names []string, n int) string {
	shown := names
	if len(shown) > n {
		shown = shown[:n]
	}
	parts := make([]string, len(shown))
	for i, s := range shown {
		parts[i] = mdText(s)
	}
	out := strings.Join(parts, ", ")
	if len(names) > n {
		out += " … " + commas(len(names)-n) + " more"
	}
	return out
}

func moreRow(n, cols int) string {
	return "| … " + commas(n) + " more |" + strings.Repeat(" |", cols-1) + "\n"
}
