package diagnostics

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Write renders diagnostics as
//
//	file:line:col: error: Summary: detail
//	   12 |   scheduel = "0 22 * * SAT"
//	      |   ^^^^^^^^
//
// quoting the source line from sources (a Config's Sources) when known.
// Errors come before warnings; within each, by file and position. This is the
// one place diagnostics are rendered: every command prints them here, and
// Line is its first line on its own.
func Write(w io.Writer, diags hcl.Diagnostics, sources map[string][]byte) error {
	var buf bytes.Buffer
	for _, diag := range sorted(diags) {
		buf.WriteString(Line(diag, ""))
		buf.WriteByte('\n')
		if diag.Subject != nil {
			writeSnippet(&buf, *diag.Subject, sources[diag.Subject.Filename])
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// sorted returns diags with errors before warnings and, within each, by
// file and position.
func sorted(diags hcl.Diagnostics) hcl.Diagnostics {
	out := append(hcl.Diagnostics(nil), diags...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity == hcl.DiagError
		}
		ra, rb := subject(a), subject(b)
		if ra.Filename != rb.Filename {
			return ra.Filename < rb.Filename
		}
		return ra.Start.Byte < rb.Start.Byte
	})
	return out
}

// Line renders one diagnostic on one line, without the source
// snippet: "file:line:col: severity: Summary: detail", or "severity:
// Summary: detail" when it has no position. When dir is not "" and the file
// is inside it, the file is named relative to dir (the daemon names files
// of the configuration it exported that way in status.json).
func Line(d *hcl.Diagnostic, dir string) string {
	sev := "error"
	if d.Severity == hcl.DiagWarning {
		sev = "warning"
	}
	msg := sev + ": " + d.Summary
	if d.Detail != "" {
		msg += ": " + d.Detail
	}
	if d.Subject == nil {
		return msg
	}
	r := d.Subject
	return fmt.Sprintf("%s:%d:%d: %s", relativeName(r.Filename, dir), r.Start.Line, r.Start.Column, msg)
}

// relativeName names file relative to dir when it is inside dir.
func relativeName(file, dir string) string {
	if dir == "" {
		return file
	}
	if rel, err := filepath.Rel(dir, file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return file
}

func subject(d *hcl.Diagnostic) hcl.Range {
	if d.Subject == nil {
		return hcl.Range{}
	}
	return *d.Subject
}

// writeSnippet prints the subject's first line with a caret line under it.
func writeSnippet(w io.Writer, r hcl.Range, src []byte) {
	if src == nil || r.Start.Line < 1 {
		return
	}
	lines := strings.Split(string(src), "\n")
	if r.Start.Line > len(lines) {
		return
	}
	line := strings.TrimRight(lines[r.Start.Line-1], "\r")
	// Columns count characters; tabs stay tabs so the caret lines up.
	runes := []rune(line)
	startCol := max(r.Start.Column-1, 0)
	if startCol > len(runes) {
		startCol = len(runes)
	}
	endCol := len(runes)
	if r.End.Line == r.Start.Line {
		endCol = min(max(r.End.Column-1, startCol+1), len(runes))
	}
	runes, startCol, endCol = snippetWindow(runes, startCol, endCol)
	var pad strings.Builder
	for _, c := range runes[:startCol] {
		if c == '\t' {
			pad.WriteRune('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	width := max(endCol-startCol, 1)
	num := fmt.Sprintf("%d", r.Start.Line)
	fmt.Fprintf(w, "  %s | %s\n", num, string(runes))
	fmt.Fprintf(w, "  %s | %s%s\n", strings.Repeat(" ", len(num)), pad.String(), strings.Repeat("^", width))
}

// SnippetWidth is the most characters of a source line a diagnostic's
// snippet shows.
const SnippetWidth = 120

// snippetWindow cuts a long line to SnippetWidth characters around the
// subject, marking the cuts with "…", and moves the columns along.
func snippetWindow(line []rune, startCol, endCol int) ([]rune, int, int) {
	if len(line) <= SnippetWidth {
		return line, startCol, endCol
	}
	from := max(startCol-SnippetWidth/3, 0)
	to := min(from+SnippetWidth, len(line))
	out := make([]rune, 0, to-from+2)
	shift := from
	if from > 0 {
		out = append(out, '…')
		shift--
	}
	out = append(out, line[from:to]...)
	if to < len(line) {
		out = append(out, '…')
	}
	return out, startCol - shift, min(endCol, to) - shift
}
