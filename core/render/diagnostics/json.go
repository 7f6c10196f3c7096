package diagnostics

import (
	"encoding/json"
	"io"

	"github.com/hashicorp/hcl/v2"
)

// ValidateFormatVersion is the format_version of tend validate --json.
const ValidateFormatVersion = "1"

// validateJSON is the document tend validate --json prints, shaped like
// terraform validate -json's so tools that read one read the other.
type validateJSON struct {
	FormatVersion string     `json:"format_version"`
	Valid         bool       `json:"valid"`
	ErrorCount    int        `json:"error_count"`
	WarningCount  int        `json:"warning_count"`
	Diagnostics   []diagJSON `json:"diagnostics"`
}

type diagJSON struct {
	Severity string     `json:"severity"` // "error" or "warning"
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail"`
	Range    *rangeJSON `json:"range,omitempty"`
}

type rangeJSON struct {
	Filename string  `json:"filename"`
	Start    posJSON `json:"start"`
	End      posJSON `json:"end"`
}

type posJSON struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// WriteJSON writes diags as one JSON document, in Write's order, with each
// diagnostic's range (file named relative to dir when inside it, as Line
// names it; "" keeps the names as loaded). Valid is whether there are no
// errors.
func WriteJSON(w io.Writer, diags hcl.Diagnostics, dir string) error {
	out := validateJSON{FormatVersion: ValidateFormatVersion, Valid: !diags.HasErrors(), Diagnostics: []diagJSON{}}
	for _, d := range sorted(diags) {
		j := diagJSON{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			j.Severity = "warning"
			out.WarningCount++
		} else {
			out.ErrorCount++
		}
		if r := d.Subject; r != nil {
			j.Range = &rangeJSON{Filename: relativeName(r.Filename, dir),
				Start: posJSON{r.Start.Line, r.Start.Column, r.Start.Byte}, End: posJSON{r.End.Line, r.End.Column, r.End.Byte}}
		}
		out.Diagnostics = append(out.Diagnostics, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
