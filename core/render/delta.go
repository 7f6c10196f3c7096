package render

import (
	"bytes"
	"io"
	"strings"

	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/plandiff"
)

// mdDeltaRows caps the rows of the Markdown comparison table.
const mdDeltaRows = 100

// secDelta names the comparison section when it is cut short.
const secDelta = "comparison with the base"

// deltaSentence sums a delta up: "3 updates change on 2 hosts: 2 actions
// added, 1 removed".
func deltaSentence(d *plandiff.Delta) string {
	if d.Empty() {
		return "no host's plan changes"
	}
	n := len(d.Changes)
	s := commas(n) + " " + words.Plural(n, "update changes", "updates change") + " on " + commas(d.Hosts) + " " + words.Plural(d.Hosts, "host", "hosts")
	var parts []string
	if d.ActionsAdded > 0 {
		parts = append(parts, commas(d.ActionsAdded)+" "+words.Plural(d.ActionsAdded, "action", "actions")+" added")
	}
	if d.ActionsRemoved > 0 {
		parts = append(parts, commas(d.ActionsRemoved)+" removed")
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}

// statePhrase says what one plan does with an update.
func statePhrase(s plandiff.State) string {
	switch s.Kind {
	case plandiff.KindNone:
		return "not planned"
	case plandiff.KindAction:
		a := model.Action{Type: s.Type, From: s.From, To: s.To}
		if v := versionChange(&a); v != "" {
			return s.Type + " " + v
		}
		return s.Type
	case plandiff.KindDeferred:
		d := model.Deferred{To: s.To, Until: s.Until}
		return "deferred " + untilPhrase(&d) + ": " + s.Reason
	case plandiff.KindSkipped:
		return "skipped: " + s.Reason
	case plandiff.KindReboot:
		return "reboot " + s.Type
	case plandiff.KindDependency:
		a := model.Action{Type: s.Type, From: s.From, To: s.To}
		phrase := "dependency " + s.Type + " " + versionChange(&a)
		if s.Reason != "" {
			phrase += ", " + s.Reason
		}
		return phrase
	}
	return s.Kind
}

// DeltaText writes the comparison of a plan with the plan of the base
// configuration (label, e.g. "origin/main (9f2c1ab)"), one line per
// changed update.
func DeltaText(w io.Writer, d *plandiff.Delta, label string, o TextOptions) error {
	t := &textView{o: o}
	t.b.WriteString("\n")
	t.line(t.paint(bold, "Compared with "+cleanText(label)+": "+deltaSentence(d)+"."))
	if e := exposureDelta(d); e != "" {
		t.line("  ", cleanText(e), ".")
	}
	for _, c := range d.Changes {
		st := plain
		switch {
		case c.Head.Kind == plandiff.KindAction:
			st = green
		case c.Base.Kind == plandiff.KindAction:
			st = red
		}
		t.line(t.paint(st, "  "+cleanText(c.Host+" · "+c.Provider+" · "+c.Package+": "+statePhrase(c.Base)+"  ⇒  "+statePhrase(c.Head))))
	}
	_, err := w.Write(t.b.Bytes())
	return err
}

// delta writes the Markdown comparison section.
func (m *mdView) delta(d *plandiff.Delta, label string) {
	head := "\n### Compared with " + mdText(label) + "\n\n**This change:** " + mdText(deltaSentence(d)) + ".\n"
	if e := exposureDelta(d); e != "" {
		head += "\n" + mdText(e) + ".\n"
	}
	if d.Empty() {
		m.add(secDelta, head)
		return
	}
	head += "\n| host | package | " + mdText(label) + " | this change |\n|---|---|---|---|\n"
	var b bytes.Buffer
	for i, c := range d.Changes {
		if i == mdDeltaRows {
			b.WriteString("\n_… and " + commas(len(d.Changes)-i) + " more changes, in the full plan_\n")
			break
		}
		row := []string{c.Host + " (" + c.Provider + ")", c.Package, statePhrase(c.Base), statePhrase(c.Head)}
		for j := range row {
			row[j] = mdText(row[j])
		}
		line := "| " + strings.Join(row, " | ") + " |\n"
		if i == 0 {
			line = head + line
		}
		if !m.add(secDelta, line) {
			return
		}
	}
	m.add(secDelta, b.String())
}
