package render

import (
	"strings"

	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
)

// transactionPhrase says what is known of a host's transaction: resolved
// (live or as recorded, when), blocked, or why it was not checked. "" when
// the host has none.
func transactionPhrase(t *model.Transaction) string {
	if t == nil {
		return ""
	}
	when := ""
	if t.ResolvedAt != nil {
		when = formatTime(*t.ResolvedAt)
	}
	var s string
	switch {
	case t.Status == model.TransactionBlocked && when == "":
		return "transaction blocked"
	case t.Status == model.TransactionBlocked && t.Source == model.ResolvedRecorded:
		s = "transaction blocked (as resolved at " + when + ", recorded)"
	case t.Status == model.TransactionBlocked:
		s = "transaction blocked (resolved live at " + when + ")"
	case t.Status == model.TransactionResolved && t.Source == model.ResolvedRecorded:
		s = "dependencies as resolved at " + when + " (recorded)"
	case t.Status == model.TransactionResolved:
		s = "transaction resolved live at " + when
	default:
		return t.Reason
	}
	if len(t.Extra) == 0 {
		return s + ": nothing beyond the actions"
	}
	n := len(t.Extra)
	return s + ": " + commas(n) + " more " + words.Plural(n, "package", "packages")
}

// changeAction is a transaction's change in the shape of an action, so it
// is shown with the same symbols and version columns.
func changeAction(c model.Change) model.Action {
	return model.Action{Type: c.Kind, Package: c.Package, From: c.From, To: c.To}
}

// requiredByPhrase says what brings a change in: "(required by app)".
func requiredByPhrase(c model.Change) string {
	if len(c.RequiredBy) == 0 {
		return ""
	}
	return "(required by " + strings.Join(c.RequiredBy, ", ") + ")"
}

// transaction writes what a host's transaction does beyond its actions:
// the phrase, then one aligned line per extra change.
func (t *textView) transaction(tx *model.Transaction) {
	phrase := transactionPhrase(tx)
	if phrase == "" {
		return
	}
	st := faint
	switch {
	case tx.Status == model.TransactionBlocked:
		st = red
	case len(tx.Extra) > 0:
		st = plain
	}
	t.line("  ", t.paint(st, cleanText(phrase)))
	var rows [][]string
	var kinds []string
	for _, c := range tx.Extra {
		a := changeAction(c)
		look, ok := actionLooks[c.Kind]
		if !ok {
			look.sym = "?"
		}
		kinds = append(kinds, t.paint(look.st, look.sym))
		rows = append(rows, []string{c.Kind, c.Package, versionChange(&a), requiredByPhrase(c)})
	}
	for i, l := range columns(rows) {
		t.line("    ", kinds[i], " ", l)
	}
}

// mdTransaction writes a host's transaction into its Markdown details.
func mdTransaction(b *strings.Builder, tx *model.Transaction) {
	phrase := transactionPhrase(tx)
	if phrase == "" {
		return
	}
	b.WriteString("\n" + mdText(strings.ToUpper(phrase[:1])+phrase[1:]) + ".\n")
	if len(tx.Extra) == 0 {
		return
	}
	b.WriteString("\n| change | package | version | required by |\n|---|---|---|---|\n")
	for i, c := range tx.Extra {
		if i == mdHostRows {
			b.WriteString("\n_… and " + commas(len(tx.Extra)-i) + " more changes_\n")
			break
		}
		a := changeAction(c)
		row := []string{c.Kind, c.Package, versionChange(&a), strings.Join(c.RequiredBy, ", ")}
		for j := range row {
			row[j] = mdText(row[j])
		}
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
}

// blockedPhrase says how many hosts' transactions the plan blocked, "" when
// none: the summary's second sentence.
func blockedPhrase(p *model.Plan) string {
	n := p.BlockedHosts()
	if n == 0 {
		return ""
	}
	return commas(n) + " " + words.Plural(n, "host's transaction is", "hosts' transactions are") + " blocked: nothing is installed there (see the errors)."
}
