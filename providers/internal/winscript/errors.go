package winscript

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ScriptError is an error a script reported: the exception that stopped it
// (a COMException from the Windows Update Agent, say), with its HRESULT.
type ScriptError struct {
	Script  string  `json:"-"`
	Message string  `json:"message"`
	Type    string  `json:"type"`
	HResult HResult `json:"hresult"`
	// Line is the line of Script the error happened on (0: unknown), or of
	// the prelude when InPrelude.
	Line      int    `json:"line"`
	InPrelude bool   `json:"-"`
	ExitCode  int    `json:"-"`
	Stderr    string `json:"-"`

	names map[HResult]string
}

func (e *ScriptError) Error() string {
	var b strings.Builder
	b.WriteString(e.Script)
	switch {
	case e.InPrelude:
		fmt.Fprintf(&b, " (prelude line %d)", e.Line)
	case e.Line > 0:
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	fmt.Fprintf(&b, ": %s", strings.TrimSpace(e.Message))
	if e.HResult != 0 {
		fmt.Fprintf(&b, " (HRESULT %s)", e.HResult.Describe(e.names))
	}
	if e.Type != "" {
		fmt.Fprintf(&b, " [%s]", e.Type)
	}
	return b.String()
}

// OutputError is a script run whose result is not what the contract
// promises: a non-zero exit without an error document, or stdout that is
// not exactly one JSON object. Stdout and Stderr are bounded excerpts.
type OutputError struct {
	Script   string
	ExitCode int
	Problem  string
	Stdout   string
	Stderr   string
	Err      error
}

func (e *OutputError) Error() string {
	msg := fmt.Sprintf("%s: %s", e.Script, e.Problem)
	if e.Stdout != "" {
		msg += fmt.Sprintf("; stdout: %q", e.Stdout)
	}
	if e.Stderr != "" {
		msg += fmt.Sprintf("; stderr: %q", e.Stderr)
	}
	return msg
}

func (e *OutputError) Unwrap() error { return e.Err }

// excerptMax bounds how much of a script's output an error quotes.
const excerptMax = 400

// excerpt returns b trimmed, cut to its first and last excerptMax/2 bytes
// (on character boundaries) when longer.
func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) <= excerptMax {
		return s
	}
	head, tail := s[:excerptMax/2], s[len(s)-excerptMax/2:]
	for !utf8.ValidString(head) {
		head = head[:len(head)-1]
	}
	for !utf8.ValidString(tail) {
		tail = tail[1:]
	}
	return fmt.Sprintf("%s … (%d bytes) … %s", head, len(s)-len(head)-len(tail), tail)
}
