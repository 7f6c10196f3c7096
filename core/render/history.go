package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

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
// own line.
func HistoryText(w io.Writer, events []audit.Event) error {
	if len(events) == 0 {
		_, err := io.WriteString(w, "No applies recorded on the reports branch for this selection.\n")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tHOST\tWHAT\tPACKAGE\tVERSION\tPOLICY\tCONFIG")
	for _, e := range events {
		host := e.Host
		if e.Client != "" {
			host += " (" + e.Client + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", formatTime(e.At), cleanText(host), e.What,
			cleanText(e.Provider+"/"+e.Package), cleanText(versions(e.From, e.To)), orDashText(cleanText(e.Policy)), configText(e.Config))
		if e.Message != "" && e.Status != "succeeded" {
			fmt.Fprintf(tw, "\t\t\t  %s\t\t\t\n", cleanText(e.Message))
		}
	}
	return tw.Flush()
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
