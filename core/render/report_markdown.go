package render

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// Caps that keep SUMMARY.md small whatever the fleet.
const (
	sumRows      = 50  // rows per table (CVEs, KBs, failures, clients, hosts)
	sumHostNames = 5   // host names shown per CVE or KB row
	sumReboots   = 100 // hosts listed as pending a reboot
	sumMessage   = 200 // characters of a failure message
)

// SummaryMarkdown writes the fleet overview SUMMARY.md: the compliance
// percentage and counts, a table per client (each linking its
// clients/<client>/SUMMARY.md), the missing patches by CVE (most hosts
// first) and by KB (title, severity, CVEs, hosts and clients; most severe
// first), the failures of the last applies, the installed
// packages the policies reject, what tend installed recently, the hosts
// pending a reboot and the non-compliant hosts. Every list is capped (what
// is left out is counted as "… N more"), so the file stays small.
func SummaryMarkdown(w io.Writer, s *model.FleetSummary, reports []model.Report) error {
	if s == nil {
		return errNilReport
	}
	var b strings.Builder
	if s.Client != "" {
		b.WriteString("# tend compliance: " + mdText(s.Client) + "\n\n**" + fleetLine(&s.Counts) + "**\n\n")
	} else {
		b.WriteString("# tend compliance\n\n**" + fleetLine(&s.Counts) + "**\n\n")
	}
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
	if s.Client != "" {
		b.WriteString("\nThe hosts labelled client = " + mdText(s.Client) + "; the whole fleet is in [SUMMARY.md](../../SUMMARY.md).\n")
	} else {
		clientTable(&b, s.Clients)
	}
	agentTables(&b, s.Agents)
	idTable(&b, "Missing patches by CVE", "CVE", s.MissingByCVE)
	if v := s.Vulnerabilities; v != nil {
		cveTable(&b, "Missing patches by CVE risk (KEV first)", v.Missing, true)
		cveTable(&b, "Open CVEs without a fix", v.NoFix, false)
	}
	missingPatchTable(&b, s.MissingPatches, s.Client == "")
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
			name = "[" + mdText(k) + "](" + reportsbranch.ClientDir(k) + "/" + reportsbranch.SummaryMarkdownFile + ")"
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

// missingPatchTable lists the missing updates by KB (package where there
// is none): title, severity, CVEs, the hosts missing it and, in the fleet's
// summary, how many of them each client has.
func missingPatchTable(b *strings.Builder, patches []model.MissingPatch, byClient bool) {
	if len(patches) == 0 {
		return
	}
	b.WriteString("\n## Missing patches by KB\n\n| KB or package | title | severity | CVEs | hosts | where |")
	align := "|---|---|---|---|--:|---|"
	if byClient {
		b.WriteString(" by client |")
		align += "---|"
	}
	b.WriteString("\n" + align + "\n")
	cols := 6
	if byClient {
		cols = 7
	}
	for i, p := range patches {
		if i == sumRows {
			b.WriteString(moreRow(len(patches)-i, cols))
			break
		}
		hosts := commas(len(p.Hosts))
		if p.Failed > 0 {
			hosts += " (" + commas(p.Failed) + " failed)"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |", mdText(p.Provider+"/"+p.ID), orDash(mdText(p.Title)),
			orDash(mdText(p.Severity)), orDash(mdText(cveList(p.CVEs, sumHostNames))), hosts, nameList(p.Hosts, sumHostNames))
		if byClient {
			fmt.Fprintf(b, " %s |", clientCounts(p.Clients))
		}
		b.WriteString("\n")
	}
}

// clientCounts is "acme 2 · globex 1", clients by name, hosts without a
// client label last as "(none)".
func clientCounts(clients map[string][]string) string {
	names := make([]string, 0, len(clients))
	for k := range clients {
		if k != "" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	parts := make([]string, 0, len(clients))
	for _, k := range names {
		parts = append(parts, mdText(k)+" "+commas(len(clients[k])))
	}
	if hs, ok := clients[""]; ok {
		parts = append(parts, "(none) "+commas(len(hs)))
	}
	return strings.Join(parts, " · ")
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

// cveTable lists CVEs with the feeds' facts, in the order given (KEV
// first, then CVSS).
func cveTable(b *strings.Builder, title string, list []model.CVESummary, overdue bool) {
	if len(list) == 0 {
		return
	}
	head, sep := "| CVE | CVSS | EPSS | KEV due | hosts | where |", "|---|--:|--:|---|--:|---|"
	if overdue {
		head, sep = "| CVE | CVSS | EPSS | KEV | due | days open | hosts | overdue | where |", "|---|--:|--:|---|---|--:|--:|--:|---|"
	}
	fmt.Fprintf(b, "\n## %s\n\n%s\n%s\n", title, head, sep)
	for i, c := range list {
		if i == sumRows {
			b.WriteString(moreRow(len(list)-i, strings.Count(sep, "|")-1))
			break
		}
		cvss, epss, kev := "—", "—", "—"
		if c.CVSS > 0 {
			cvss = fmt.Sprintf("%.1f", c.CVSS)
		}
		if c.HasEPSS || c.EPSS > 0 {
			epss = fmt.Sprintf("%.4g", c.EPSS)
		}
		row := []string{mdText(c.ID), cvss, epss}
		if overdue {
			if c.KEV {
				kev = "KEV"
			}
			due, days := "—", "—"
			if c.Due != "" {
				due = c.Due
				if len(c.Overdue) > 0 {
					due += " (overdue)"
				}
			}
			if c.DaysOpen != nil {
				days = commas(*c.DaysOpen)
			}
			row = append(row, kev, mdText(due), days, commas(len(c.Hosts)), commas(len(c.Overdue)))
		} else {
			if c.KEV {
				kev = "KEV"
				if c.KEVDue != "" {
					kev = c.KEVDue
				}
			}
			row = append(row, mdText(kev), commas(len(c.Hosts)))
		}
		row = append(row, nameList(c.Hosts, sumHostNames))
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	if overdue {
		b.WriteString("\nDays open count from the fix's release (or when it was first seen); due is the earliest deadline a host has missed, else CISA's due date.\n")
	}
}
