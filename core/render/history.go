package render

import (
	"encoding/json"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/reportsbranch/audit"
)

// HistoryJSON writes tend history --json: {"events": [...]}, newest first.
func HistoryJSON(w io.Writer, events []audit.Event) error {
	if events == nil {
		events = []audit.Event{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // authors are "Name <email>"
	return enc.Encode(struct {
		Events []audit.Event `json:"events"`
	}{events})
}

// HistoryText writes one line per event, newest first: when, host, what
// happened to which package (from → to), the policy and the configuration
// commit with its author and subject; a failure's message follows on its
// own line, under WHAT.
func HistoryText(w io.Writer, events []audit.Event) error {
	if len(events) == 0 {
		_, err := io.WriteString(w, "No applies recorded on the reports branch for this selection.\n")
		return err
	}
	rows := [][]string{{"WHEN", "HOST", "WHAT", "PACKAGE", "VERSION", "POLICY", "CONFIG"}}
	notes := []string{""}
	for _, e := range events {
		host := e.Host
		if e.Client != "" {
			host += " (" + e.Client + ")"
		}
		rows = append(rows, []string{formatTime(e.At), cleanText(host), e.What, cleanText(e.Provider + "/" + e.Package),
			cleanText(versions(e.From, e.To)), orDashText(cleanText(e.Policy)), configText(e.Config)})
		note := ""
		if e.Message != "" && e.Status != "succeeded" {
			note = cleanText(e.Message)
		}
		notes = append(notes, note)
	}
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	indent := strings.Repeat(" ", width[0]+2+width[1]+2+2)
	var b strings.Builder
	for k, r := range rows {
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c + strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
		}
		b.WriteString("\n")
		if notes[k] != "" {
			b.WriteString(indent + notes[k] + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func versions(from, to string) string {
	switch {
	case from == "" && to == "":
		return "-"
	case from == "":
		return to
	case to == "":
		return from
	}
	return from + " → " + to
}

func configText(c audit.Commit) string {
	if c.ID == "" {
		return "-"
	}
	parts := []string{commitid.Short(c.ID)}
	if c.Author != "" {
		name, _, _ := strings.Cut(c.Author, " <")
		parts = append(parts, cleanText(name)+":")
	}
	if c.Subject != "" {
		parts = append(parts, cleanText(c.Subject))
	}
	return strings.Join(parts, " ")
}

func orDashText(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
