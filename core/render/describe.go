package render

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
)

// This file holds the wording the text and Markdown views share, so both
// describe a plan in the same terms.

// actionOrder is the order in which action types are counted and listed.
var actionOrder = []string{
	model.ActionInstall, model.ActionUpgrade, model.ActionDowngrade,
	model.ActionRemove, model.ActionHold, model.ActionUnhold, model.ActionReboot,
}

// formatTime shows t in UTC, RFC 3339, whatever zone it came in.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// planOrigin describes where a plan comes from: config dir and commit,
// inventory source.
func planOrigin(p *model.Plan) []string {
	var parts []string
	if p.Config.Dir != "" || p.Config.Commit != "" {
		s := "config " + p.Config.Dir
		if p.Config.Dir == "" {
			s = "config"
		}
		switch c := commitid.Abbrev(p.Config.Commit); {
		case c != "" && p.Config.Uncommitted:
			s += " (" + c + " with uncommitted changes)"
		case c != "":
			s += " (" + c + ")"
		}
		parts = append(parts, s)
	}
	if p.Inventory.Source != "" {
		parts = append(parts, "inventory "+p.Inventory.Source)
	}
	return parts
}

// windowPhrase describes a host's maintenance window at plan time.
func windowPhrase(w *model.WindowInfo) string {
	if w == nil {
		return "no window (always open)"
	}
	s := "window " + w.Name
	switch {
	case w.Ignored && w.Open:
		return s + " open (ignored: emergency policy)"
	case w.Ignored:
		return s + " closed, ignored by the emergency policy"
	case w.Open && w.ClosesAt != nil:
		return s + " open, closes " + formatTime(*w.ClosesAt)
	case w.Open:
		return s + " open"
	case w.NextOpen != nil:
		return s + " closed, opens " + formatTime(*w.NextOpen)
	default:
		return s + " closed, no opening ahead"
	}
}

// hostFacts are the facts shown in a host's heading after its name:
// provider, policy, ring, window and scan time.
func hostFacts(h *model.HostPlan) []string {
	facts := []string{h.Provider}
	if h.Policy != "" {
		facts = append(facts, "policy "+h.Policy)
	}
	if h.Ring != "" {
		facts = append(facts, "ring "+h.Ring)
	}
	facts = append(facts, windowPhrase(h.Window))
	if h.Freeze != nil {
		facts = append(facts, fmt.Sprintf("frozen by %s until %s (%s)", h.Freeze.Name, formatTime(h.Freeze.Until), h.Freeze.Reason))
	}
	if h.Suspended != nil {
		facts = append(facts, fmt.Sprintf("%s suspended until %s (%s)", h.Suspended.Of, formatTime(h.Suspended.Until), h.Suspended.Reason))
	}
	if h.ScannedAt == nil {
		facts = append(facts, "not scanned")
	} else {
		facts = append(facts, "scanned "+formatTime(*h.ScannedAt))
	}
	return facts
}

// versionChange shows what an action does to the package's version.
func versionChange(a *model.Action) string {
	switch {
	case a.Type == model.ActionReboot:
		return ""
	case a.Type == model.ActionRemove || a.To == "":
		return a.From
	case a.From == "" && (a.To == a.Package || a.To == a.KB):
		return "" // a Windows update: its identifier is its version
	case a.From == "" || a.Type == model.ActionHold || a.Type == model.ActionUnhold:
		return a.To
	default:
		return a.From + " → " + a.To
	}
}

// toVersion is the version an update goes to, empty when it is the
// package's own name (a Windows update: KB5092641 to KB5092641), so that
// rows do not print the KB twice.
func toVersion(pkg, to string) string {
	if to == pkg {
		return ""
	}
	return to
}

// packageTo is "package version", or the package alone when toVersion is
// empty.
func packageTo(pkg, to string) string {
	if v := toVersion(pkg, to); v != "" {
		return pkg + " " + v
	}
	return pkg
}

// classification joins an action's classification and severity.
func classification(a *model.Action) string {
	switch {
	case a.Severity == "":
		return a.Classification
	case a.Classification == "":
		return a.Severity
	default:
		return a.Classification + "/" + a.Severity
	}
}

// packageName names an action's package, with its KB when that differs.
func packageName(a *model.Action) string {
	if a.KB != "" && a.KB != a.Package {
		if a.Package == "" {
			return a.KB
		}
		return a.Package + " (" + a.KB + ")"
	}
	return a.Package
}

// cveList joins CVE ids, showing at most max of them (all when max <= 0).
func cveList(cves []string, max int) string {
	if max <= 0 || len(cves) <= max {
		return strings.Join(cves, ", ")
	}
	return strings.Join(cves[:max], ", ") + fmt.Sprintf(" +%d more", len(cves)-max)
}

// untilPhrase says when a deferred update becomes due, or, when no date
// can be told, what it waits for.
func untilPhrase(d *model.Deferred) string {
	if d.Until != nil {
		return "until " + formatTime(*d.Until)
	}
	if ring, ok := awaitedRing(d.Reason); ok {
		return "until ring " + ring + " is done"
	}
	if strings.HasSuffix(d.Reason, " never opens") {
		return "never: no opening ahead"
	}
	return "no date known"
}

// awaitedRing reads the ring a reason waits for: "waiting for ring
// canary: …" (the planner's) or "ring canary …".
func awaitedRing(reason string) (string, bool) {
	rest, ok := strings.CutPrefix(reason, "waiting for ring ")
	if !ok {
		rest, ok = strings.CutPrefix(reason, "ring ")
	}
	if !ok {
		return "", false
	}
	name, _, _ := strings.Cut(rest, " ")
	name = strings.TrimSuffix(name, ":")
	return name, name != ""
}

// rebootPhrase explains a host's reboot decision when no reboot action
// carries it, and is empty otherwise.
func rebootPhrase(r string) string {
	switch r {
	case model.RebootDeferred:
		return "reboot deferred: one is due but waits for the window or ring"
	case model.RebootSuppressed:
		return "reboot suppressed: one is needed but the policy says reboot = never"
	}
	return ""
}

// reasonCount is how many skipped updates share a reason.
type reasonCount struct {
	reason string
	n      int
}

// skipReasons counts skipped updates per reason, most frequent first.
func skipReasons(skipped []model.Skipped) []reasonCount {
	idx := map[string]int{}
	var out []reasonCount
	for _, s := range skipped {
		i, ok := idx[s.Reason]
		if !ok {
			i = len(out)
			idx[s.Reason] = i
			out = append(out, reasonCount{reason: s.Reason})
		}
		out[i].n++
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].reason < out[j].reason
	})
	return out
}

// actionCounts lists non-zero action counts in actionOrder, then any other
// type by name: "1 to install", "4 to upgrade", "1 reboot".
func actionCounts(m map[string]int) []string {
	var out []string
	seen := map[string]bool{}
	add := func(typ string) {
		seen[typ] = true
		n := m[typ]
		if n == 0 {
			return
		}
		switch typ {
		case model.ActionReboot:
			out = append(out, commas(n)+" "+words.Plural(n, "reboot", "reboots"))
		case model.ActionInstall, model.ActionUpgrade, model.ActionDowngrade,
			model.ActionRemove, model.ActionHold, model.ActionUnhold:
			out = append(out, commas(n)+" to "+typ)
		default:
			out = append(out, commas(n)+" "+typ)
		}
	}
	for _, typ := range actionOrder {
		add(typ)
	}
	var rest []string
	for typ := range m {
		if !seen[typ] {
			rest = append(rest, typ)
		}
	}
	sort.Strings(rest)
	for _, typ := range rest {
		add(typ)
	}
	return out
}

// summaryPhrase is the one-sentence summary of a plan, without a prefix:
// "3 hosts, 2 with changes: 1 to install, 4 to upgrade; 5 deferred, 17
// skipped." or "No changes. 3 hosts up to date."
func summaryPhrase(s *model.Summary) (sentence string, changes bool) {
	hosts := commas(s.Hosts) + " " + words.Plural(s.Hosts, "host", "hosts")
	var waiting []string
	if s.Deferred > 0 {
		waiting = append(waiting, commas(s.Deferred)+" deferred")
	}
	if s.Skipped > 0 {
		waiting = append(waiting, commas(s.Skipped)+" skipped")
	}
	tail := ""
	if len(waiting) > 0 {
		tail = "; " + strings.Join(waiting, ", ")
	}
	if s.HostsWithChanges == 0 {
		switch {
		case s.Hosts == 0:
			return "No changes. The plan covers no hosts" + tail + ".", false
		case len(waiting) == 0:
			return "No changes. " + hosts + " up to date.", false
		default:
			return "No changes. " + hosts + ", nothing to do now" + tail + ".", false
		}
	}
	s1 := hosts + ", " + commas(s.HostsWithChanges) + " with changes"
	if counts := actionCounts(s.Actions); len(counts) > 0 {
		s1 += ": " + strings.Join(counts, ", ")
	}
	return s1 + tail + ".", true
}

// hostCounts summarises one host plan: "3 actions, 1 deferred, 12 skipped,
// 1 error", or "up to date".
func hostCounts(h *model.HostPlan) string {
	var parts []string
	if n := len(h.Actions); n > 0 {
		parts = append(parts, commas(n)+" "+words.Plural(n, "action", "actions"))
	}
	if n := len(h.Deferred); n > 0 {
		parts = append(parts, commas(n)+" deferred")
	}
	if n := len(h.Skipped); n > 0 {
		parts = append(parts, commas(n)+" skipped")
	}
	if n := len(h.Errors); n > 0 {
		parts = append(parts, commas(n)+" "+words.Plural(n, "error", "errors"))
	}
	if h.Blocked() {
		parts = append(parts, "transaction blocked")
	}
	if r := h.Reboot; r == model.RebootDeferred || r == model.RebootSuppressed {
		parts = append(parts, "reboot "+r)
	}
	if len(parts) == 0 {
		return "up to date"
	}
	return strings.Join(parts, ", ")
}

// upToDate reports whether a host plan has nothing at all to show.
func upToDate(h *model.HostPlan) bool {
	return len(h.Actions) == 0 && len(h.Deferred) == 0 && len(h.Skipped) == 0 &&
		len(h.Errors) == 0 && rebootPhrase(h.Reboot) == "" && len(h.OpenVulns) == 0 && len(h.Overdue) == 0
}

// commas writes n with thousands separators: 9870 → "9,870".
func commas(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
