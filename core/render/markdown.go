package render

import (
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/plandiff"
)

// MaxMarkdown is the most bytes Markdown ever writes: GitHub's limit for a
// comment is 65,535 characters, and a byte is never more than a character.
const MaxMarkdown = 65535

// MarkdownOptions controls the pull-request view.
type MarkdownOptions struct {
	Title string // heading; "" is "tend plan"
	// Limit is the byte budget; 0 (or anything above it) is MaxMarkdown.
	Limit int
	// Artifact, when set, says where the full plan JSON is, e.g. "plan.json
	// artifact of this CI run". It is written as given, so it may hold a
	// Markdown link.
	Artifact string
	// Base, when set, is the comparison with the plan of the base
	// configuration (tend plan --base), shown right after the summary;
	// BaseLabel names the base, e.g. "origin/main (9f2c1ab)".
	Base      *plandiff.Delta
	BaseLabel string
	// Clients maps hosts to their "client" label; when any host has one,
	// a table per client comes before the table per policy.
	Clients map[string]string
}

// Caps that keep each part of the Markdown view small whatever the fleet.
const (
	mdWarnings   = 20 // warnings listed
	mdTopActions = 15 // rows of the most common actions
	mdHostRows   = 50 // actions, deferred, skip reasons or errors per host
	mdCVEs       = 3  // CVEs per table cell
)

// Markdown writes the pull-request comment: a summary, the warnings, a table
// per policy and ring, the most common actions, the missing patches by KB
// (package where there is none), then each host folded in
// <details>, hosts with changes first. It measures as it goes and never
// writes more than the byte budget: what does not fit is counted in a
// closing line that points to the full plan.
func Markdown(w io.Writer, p *model.Plan, warnings []model.Warning, o MarkdownOptions) error {
	if p == nil {
		return errNilPlan
	}
	limit := o.Limit
	if limit <= 0 || limit > MaxMarkdown {
		limit = MaxMarkdown
	}
	order := hostOrder(p.Hosts)
	m := &mdView{p: p, order: order, artifact: o.Artifact, clients: o.Clients}
	m.max = limit - m.reserve()

	title := o.Title
	if title == "" {
		title = "tend plan"
	}
	m.heading(title, warnings)
	if o.Base != nil {
		m.delta(o.Base, o.BaseLabel)
	}
	m.clientTable()
	m.policyTable()
	m.commonActions()
	m.missingPatches()
	m.hostDetails()

	out := m.b.String() + m.footer()
	if len(out) > limit { // only when the budget cannot even hold the footer
		out = cutUTF8(out, limit)
	}
	_, err := io.WriteString(w, out)
	return err
}

// mdView accumulates the Markdown view within a byte budget.
type mdView struct {
	p        *model.Plan
	order    []int // host plans in the order they are detailed
	artifact string
	clients  map[string]string

	b     strings.Builder
	max   int    // bytes the body may take; the rest is kept for the footer
	cut   string // the section that did not fit, "" while all fits
	shown int    // host plans detailed so far
}

// add appends one indivisible unit of output if it fits the budget. Once a
// unit did not fit nothing more is added, so the output stays in order.
func (m *mdView) add(section, unit string) bool {
	if m.cut != "" {
		return false
	}
	if m.b.Len()+len(unit) > m.max {
		m.cut = section
		return false
	}
	m.b.WriteString(unit)
	return true
}

// Sections, as the footer names them when they are cut short.
const (
	secHeading  = "summary"
	secWarnings = "list of warnings"
	secClients  = "client table"
	secPolicies = "policy table"
	secCommon   = "table of common actions"
	secMissing  = "table of missing patches"
	secHosts    = "hosts"
)

func (m *mdView) heading(title string, warnings []model.Warning) {
	p := m.p
	sentence, changes := summaryPhrase(&p.Summary)
	if changes {
		sentence = "**Plan:** " + sentence
	} else {
		sentence = "**" + sentence + "**"
	}
	if b := blockedPhrase(p); b != "" {
		sentence += " " + mdText(b)
	}
	origin := append(planOrigin(p), "generated "+formatTime(p.GeneratedAt))
	for i := range origin {
		origin[i] = mdText(origin[i])
	}
	if e := exposureHeadline(p); e != "" {
		sentence += "\n\n**CVEs:** " + mdText(e) + "."
	}
	if f := feedsLine(p); f != "" {
		origin = append(origin, mdText(f))
	}
	m.add(secHeading, "# "+mdText(title)+"\n\n"+sentence+"\n\n"+strings.Join(origin, " · ")+"\n")

	if len(warnings) == 0 {
		return
	}
	m.add(secWarnings, "\n### Warnings\n\n")
	for i, w := range warnings {
		if i == mdWarnings {
			m.add(secWarnings, "- … and "+commas(len(warnings)-i)+" more "+words.Plural(len(warnings)-i, "warning", "warnings")+"\n")
			break
		}
		s := mdText(w.Message)
		if w.Where != "" {
			s = mdText(w.Where) + ": " + s
		}
		if !m.add(secWarnings, "- "+s+"\n") {
			return
		}
	}
}

// hostDetails writes one folded block per host plan, in m.order.
func (m *mdView) hostDetails() {
	heading := "\n### Hosts\n" // goes with the first host, never alone
	for _, i := range m.order {
		if !m.add(secHosts, heading+hostBlock(&m.p.Hosts[i])) {
			return
		}
		heading = ""
		m.shown++
	}
}

// hostBlock is the <details> block of one host plan.
func hostBlock(h *model.HostPlan) string {
	var b strings.Builder
	b.WriteString("\n<details><summary>")
	b.WriteString(htmlText(h.Host + " — " + h.Provider + " — " + hostCounts(h)))
	b.WriteString("</summary>\n\n")
	facts := hostFacts(h)[1:] // the provider is in the summary
	for i := range facts {
		facts[i] = mdText(facts[i])
	}
	b.WriteString(strings.Join(facts, " · ") + "\n")

	if len(h.Actions) > 0 {
		b.WriteString("\n| action | package | version | classification | CVEs | reason |\n|---|---|---|---|---|---|\n")
		for i := range h.Actions {
			if i == mdHostRows {
				b.WriteString("\n_… and " + commas(len(h.Actions)-i) + " more actions_\n")
				break
			}
			a := &h.Actions[i]
			reason := a.Reason
			if a.FastLane != "" {
				reason += " [" + a.FastLane + "]"
			}
			row := []string{a.Type, packageName(a), versionChange(a), classification(a), actionCVEs(a, mdCVEs), reason}
			for j := range row {
				row[j] = mdText(row[j])
			}
			b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		}
	}
	if r := rebootPhrase(h.Reboot); r != "" {
		b.WriteString("\n" + mdText(strings.ToUpper(r[:1])+r[1:]) + ".\n")
	}
	mdTransaction(&b, h.Transaction)
	var items []string
	for i := range h.Deferred {
		d := &h.Deferred[i]
		reason := d.Reason
		if len(d.Vulns) > 0 {
			reason += "; fixes " + vulnList(d.Vulns, mdCVEs)
		}
		items = append(items, mdText(packageTo(d.Package, d.To)+" "+untilPhrase(d)+": "+reason))
	}
	mdList(&b, "Deferred", items)
	items = items[:0]
	for _, c := range skipReasons(h.Skipped) {
		items = append(items, commas(c.n)+" × "+mdText(c.reason))
	}
	mdList(&b, "Skipped", items)
	items = items[:0]
	for _, e := range h.Errors {
		items = append(items, mdText(e))
	}
	mdList(&b, "Errors", items)
	items = items[:0]
	for _, o := range h.Overdue {
		items = append(items, mdText(o.Package+" "+o.CVE+" was due "+o.Due.UTC().Format("2006-01-02")+" ("+o.Rule+")"))
	}
	mdList(&b, "Overdue", items)
	items = items[:0]
	for _, o := range openOrdered(h.OpenVulns) {
		items = append(items, mdText(vulnLabel(o.Vuln)+" in "+o.Package+" "+o.Version))
	}
	mdList(&b, "Open CVEs with no fix available", items)
	b.WriteString("\n</details>\n")
	return b.String()
}

// mdList writes a titled bullet list of at most mdHostRows items.
func mdList(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	b.WriteString("\n**" + title + "**\n\n")
	for i, s := range items {
		if i == mdHostRows {
			b.WriteString("- … and " + commas(len(items)-i) + " more\n")
			return
		}
		b.WriteString("- " + s + "\n")
	}
}

// footer closes the view: what was left out, if anything, and where the
// full plan is.
func (m *mdView) footer() string {
	if m.cut == "" {
		return artifactFooter(m.artifact)
	}
	hosts, changed := countHosts(m.p.Hosts, m.order[m.shown:])
	return truncFooter(m.cut, hosts, changed, m.shown > 0, m.artifact)
}

// reserve is the room kept for the longest footer this plan can get.
func (m *mdView) reserve() int {
	hosts, changed := countHosts(m.p.Hosts, m.order)
	longest := ""
	for _, s := range []string{secHeading, secWarnings, secDelta, secClients, secPolicies, secCommon, secHosts} {
		if len(s) > len(longest) {
			longest = s
		}
	}
	return max(len(truncFooter(longest, hosts, changed, true, m.artifact)), len(artifactFooter(m.artifact)))
}

// artifactFooter points to the full plan when nothing was left out.
func artifactFooter(artifact string) string {
	if artifact == "" {
		return ""
	}
	return "\n_The full plan is in the " + artifact + "._\n"
}

// truncFooter says what was left out and where the full plan is.
func truncFooter(cut string, hosts, changed int, more bool, artifact string) string {
	var parts []string
	if cut != secHosts {
		parts = append(parts, "the "+cut+" is cut short")
	}
	if hosts > 0 {
		s := commas(hosts) + " " + words.Plural(hosts, "host", "hosts") + " not shown"
		if more {
			s = commas(hosts) + " more " + words.Plural(hosts, "host", "hosts") + " not shown"
		}
		if changed > 0 {
			s += " (" + commas(changed) + " with changes)"
		}
		parts = append(parts, s)
	}
	where := "The full plan is in the output of tend plan --json."
	if artifact != "" {
		where = "The full plan is in the " + artifact + "."
	}
	return "\n_… " + strings.Join(parts, "; ") + ". " + where + "_\n"
}

// countHosts counts the distinct hosts among the given host plans, and
// those of them with changes.
func countHosts(hosts []model.HostPlan, idx []int) (all, changed int) {
	seen := map[string]bool{}
	withChanges := map[string]bool{}
	for _, i := range idx {
		h := &hosts[i]
		seen[h.Host] = true
		if len(h.Actions) > 0 {
			withChanges[h.Host] = true
		}
	}
	return len(seen), len(withChanges)
}

// hostOrder lists host plans with changes first, each group sorted by host
// and provider.
func hostOrder(hosts []model.HostPlan) []int {
	order := make([]int, len(hosts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := &hosts[order[i]], &hosts[order[j]]
		if ca, cb := len(a.Actions) > 0, len(b.Actions) > 0; ca != cb {
			return ca
		}
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		return a.Provider < b.Provider
	})
	return order
}

// cutUTF8 shortens s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
