package render

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tend-sh/tend/core/model"
)

// TextOptions controls the human view.
type TextOptions struct {
	Color   bool // ANSI colours; the caller decides (a terminal, and NO_COLOR unset)
	Verbose bool // list every skipped update and every CVE instead of counts
}

// textCVEs is how many CVEs an action line shows unless Verbose; the rest
// are counted ("CVE-2024-43447 +4 more"), which keeps lines short.
const textCVEs = 1

// Text writes the human plan view: a heading, one block per host and
// provider (actions, deferred and skipped updates, errors), the warnings and
// a closing summary line. Hosts with nothing to show get a single line.
func Text(w io.Writer, p *model.Plan, warnings []model.Warning, o TextOptions) error {
	if p == nil {
		return errNilPlan
	}
	t := &textView{o: o}
	t.heading(p)
	prevLine := false // the previous host took a single line
	for i := range p.Hosts {
		h := &p.Hosts[i]
		one := upToDate(h)
		if !(one && prevLine) {
			t.b.WriteByte('\n')
		}
		t.host(h)
		prevLine = one
	}
	t.warnings(warnings)
	if e := exposureHeadline(p); e != "" {
		t.b.WriteByte('\n')
		t.line(t.paint(bold, "CVEs: "), cleanText(e), ".")
	}
	t.summary(&p.Summary)
	if b := blockedPhrase(p); b != "" {
		t.line(t.paint(red, b))
	}
	_, err := w.Write(t.b.Bytes())
	return err
}

// textView accumulates the text view.
type textView struct {
	o TextOptions
	b bytes.Buffer
}

// style is an ANSI SGR parameter; "" is no style.
type style string

const (
	plain  style = ""
	bold   style = "1"
	faint  style = "2"
	red    style = "31"
	green  style = "32"
	yellow style = "33"
	cyan   style = "36"
)

// paint wraps s in the style's escape codes when colour is on.
func (t *textView) paint(st style, s string) string {
	if !t.o.Color || st == plain || s == "" {
		return s
	}
	return "\x1b[" + string(st) + "m" + s + "\x1b[0m"
}

// line writes one line made of already painted pieces.
func (t *textView) line(parts ...string) {
	for _, s := range parts {
		t.b.WriteString(s)
	}
	t.b.WriteByte('\n')
}

// actionLooks gives each action type its symbol and colour.
var actionLooks = map[string]struct {
	sym string
	st  style
}{
	model.ActionInstall:   {"+", green},
	model.ActionUpgrade:   {"~", green},
	model.ActionDowngrade: {"↓", yellow},
	model.ActionRemove:    {"-", red},
	model.ActionHold:      {"=", plain},
	model.ActionUnhold:    {"≠", plain},
	model.ActionReboot:    {"↻", cyan},
}

func (t *textView) heading(p *model.Plan) {
	parts := append([]string{formatTime(p.GeneratedAt)}, planOrigin(p)...)
	t.line(t.paint(bold, "tend plan"), " — ", cleanText(strings.Join(parts, ", ")))
	if f := feedsLine(p); f != "" {
		t.line(t.paint(faint, cleanText(f)))
	}
}

func (t *textView) host(h *model.HostPlan) {
	head := t.paint(bold, cleanText(h.Host)) + " · " + cleanText(strings.Join(hostFacts(h), " · "))
	if upToDate(h) {
		t.line(head, " — ", t.paint(faint, "up to date"))
		return
	}
	t.line(head)
	t.actions(h.Actions)
	if r := rebootPhrase(h.Reboot); r != "" {
		t.line("  ", t.paint(cyan, "↻ "+r))
	}
	t.transaction(h.Transaction)
	t.deferred(h.Deferred)
	t.skipped(h.Skipped)
	for _, e := range h.Errors {
		t.line("  ", t.paint(red, "error: "+cleanText(e)))
	}
	t.vulns(h)
}

// actions writes one aligned line per action; a reboot shows its reason in
// place of package and version.
func (t *textView) actions(actions []model.Action) {
	typeW := 0
	for i := range actions {
		typeW = max(typeW, width(cleanText(actions[i].Type)))
	}
	kind := func(a *model.Action) string {
		look, ok := actionLooks[a.Type]
		if !ok {
			look.sym = "?"
		}
		typ := cleanText(a.Type)
		return t.paint(look.st, look.sym+" "+typ) + strings.Repeat(" ", typeW-width(typ))
	}
	var rows [][]string
	var kinds []string
	for i := range actions {
		a := &actions[i]
		if a.Type == model.ActionReboot {
			continue
		}
		maxCVEs := textCVEs
		if t.o.Verbose {
			maxCVEs = 0
		}
		reason := ""
		if a.Reason != "" {
			reason = "(" + a.Reason + ")"
		}
		if a.FastLane != "" {
			reason += " [" + a.FastLane + "]"
		}
		rows = append(rows, []string{packageName(a), versionChange(a), classification(a), actionCVEs(a, maxCVEs), reason})
		kinds = append(kinds, kind(a))
	}
	for i, l := range columns(rows) {
		t.line("  ", kinds[i], "  ", l)
	}
	for i := range actions {
		a := &actions[i]
		if a.Type != model.ActionReboot {
			continue
		}
		if a.Reason == "" {
			t.line("  ", strings.TrimRight(kind(a), " "))
			continue
		}
		t.line("  ", kind(a), "  ", "("+cleanText(a.Reason)+")")
	}
}

func (t *textView) deferred(deferred []model.Deferred) {
	if len(deferred) == 0 {
		return
	}
	t.line("  ", t.paint(yellow, "deferred ("+commas(len(deferred))+"):"))
	rows := make([][]string, len(deferred))
	for i := range deferred {
		d := &deferred[i]
		reason := d.Reason
		if len(d.Vulns) > 0 {
			reason += "; fixes " + vulnList(d.Vulns, textCVEs)
		}
		rows[i] = []string{d.Package, toVersion(d.Package, d.To), untilPhrase(d), reason}
	}
	for _, l := range columns(rows) {
		t.line("    ", l)
	}
}

func (t *textView) skipped(skipped []model.Skipped) {
	if len(skipped) == 0 {
		return
	}
	t.line("  ", t.paint(faint, "skipped ("+commas(len(skipped))+"):"))
	var rows [][]string
	if t.o.Verbose {
		for _, s := range skipped {
			rows = append(rows, []string{s.Package, toVersion(s.Package, s.To), s.Reason})
		}
	} else {
		counts := skipReasons(skipped)
		w := 0
		for _, c := range counts {
			w = max(w, width(commas(c.n)))
		}
		for _, c := range counts {
			n := commas(c.n)
			rows = append(rows, []string{strings.Repeat(" ", w-width(n)) + n, c.reason})
		}
	}
	for _, l := range columns(rows) {
		t.line("    ", t.paint(faint, l))
	}
}

func (t *textView) warnings(warnings []model.Warning) {
	if len(warnings) == 0 {
		return
	}
	t.line()
	t.line(t.paint(yellow, "Warnings:"))
	for _, w := range warnings {
		if w.Where != "" {
			t.line("  ", cleanText(w.Where), ": ", cleanText(w.Message))
			continue
		}
		t.line("  ", cleanText(w.Message))
	}
}

func (t *textView) summary(s *model.Summary) {
	t.line()
	sentence, changes := summaryPhrase(s)
	if changes {
		t.line(t.paint(bold, "Plan:"), " ", sentence)
		return
	}
	t.line(t.paint(green, sentence))
}

// columns pads every column to its widest cell and joins the cells of a row
// with two spaces. Columns that are empty in every row are left out and
// trailing blanks trimmed.
func columns(rows [][]string) []string {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], width(cleanText(c)))
		}
	}
	out := make([]string, len(rows))
	for n, r := range rows {
		var b strings.Builder
		for i, c := range r {
			if widths[i] == 0 {
				continue
			}
			if b.Len() > 0 {
				b.WriteString("  ")
			}
			b.WriteString(pad(cleanText(c), widths[i]))
		}
		out[n] = strings.TrimRight(b.String(), " ")
	}
	return out
}

// width is the number of terminal columns s takes (one per rune).
func width(s string) int { return utf8.RuneCountInString(s) }

// pad fills s with spaces up to w columns.
func pad(s string, w int) string {
	if n := width(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}
