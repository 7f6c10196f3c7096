package htmlreport

import (
	"embed"
	"html/template"
	"strconv"
	"strings"

	"github.com/tend-sh/tend/core/model"
)

//go:embed templates/pages.html templates/style.css
var templateFS embed.FS

// pages holds the page templates; style.css is inlined in each page.
var pages = func() *template.Template {
	css, err := templateFS.ReadFile("templates/style.css")
	if err != nil {
		panic(err)
	}
	return template.Must(template.New("").Funcs(template.FuncMap{
		"pct":        pct,
		"css":        func() template.CSS { return template.CSS(css) },
		"join":       strings.Join,
		"hostState":  hostState,
		"itemState":  itemState,
		"stateKey":   func(s string) string { return strings.ReplaceAll(s, "_", "-") },
		"add":        func(a, b int) int { return a + b },
		"sub":        func(a, b int) int { return a - b },
		"width":      func(p float64) string { return strconv.FormatFloat(min(max(p, 0), 100), 'f', 1, 64) },
		"clientPage": ClientPage,
		"by": func(id, noun, head string, rows []countsRow) byTable {
			return byTable{ID: id, Noun: noun, Head: head, Rows: rows}
		},
	}).ParseFS(templateFS, "templates/pages.html"))
}()

// hostState is a host state in words with an icon: colour is never the
// only signal.
func hostState(s string) string {
	switch s {
	case model.HostCompliant:
		return "✔ compliant"
	case model.HostNonCompliant:
		return "✖ non-compliant"
	default:
		return "? unknown"
	}
}

// itemState is an item state in words with an icon.
func itemState(s string) string {
	switch s {
	case model.ItemMissing:
		return "✖ missing"
	case model.ItemFailed:
		return "⚠ failed"
	case model.ItemInstalledRejected:
		return "⊘ installed, rejected"
	case model.ItemInstalledPendingReboot:
		return "↻ pending reboot"
	case model.ItemInstalled:
		return "✔ installed"
	case model.ItemInstalledOther:
		return "• installed (other version)"
	case model.ItemNotApplicable:
		return "– not applicable"
	}
	return s
}

// byTable is a compliance-by-client, group or policy table.
type byTable struct {
	ID, Noun, Head string
	Rows           []countsRow
}
