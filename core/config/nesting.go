package config

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// The HCL parser is recursive: every nested block, bracket, string
// interpolation, unary operator, conditional and binary operator costs
// stack, and input nested deeply enough overflows the Go stack, a fatal
// error that no recover() catches. So each file is scanned for how deep it
// nests before it is parsed. The scan mirrors how the HCL scanner splits
// code from strings, heredocs and comments (brackets there do not count),
// and counts conservatively where the parser's recursion is harder to
// see: every operator adds a level until the next comma (or, in a block
// or object body, the next newline), an index [..] adds one, a template
// directive %{..} adds one to its string, and a bracket left open when an
// enclosing brace closes keeps counting.

// frameKind is what opened a nesting level.
type frameKind uint8

const (
	frameBody    frameKind = iota // a block or object body: { … }, and the file itself
	frameBrack                    // [ … ]
	frameParen                    // ( … )
	frameInterp                   // ${ … } or %{ … } in a string or heredoc
	frameQuote                    // " … "
	frameHeredoc                  // <<EOT … EOT
)

type frame struct {
	kind      frameKind
	forExpr   bool   // a body that is an object for expression: newlines do not end items
	ops       int    // operators in the current item of this frame
	marker    []byte // heredoc: the closing marker
	lineStart bool   // heredoc: the scan is at the start of a line
}

// nestScan is one scan of one file.
type nestScan struct {
	src   []byte
	max   int
	stack []frame // stack[0] is the file's body and does not count
	depth int     // levels open, abandoned ones and operators included
	// prevValue: the last token ended a value, so "[" is an index.
	prevValue bool
	// noCommentEnd: no "*/" follows this offset (0: not known yet), so
	// unterminated comments do not make the scan quadratic.
	noCommentEnd int
}

// nestingProblem returns the byte offset at which src nests deeper than limit,
// and what is wrong there; "" when it does not.
func nestingProblem(src []byte, limit int) (int, string) {
	s := &nestScan{src: src, max: limit, stack: []frame{{kind: frameBody}}}
	for i := 0; i < len(src); {
		start := i
		var problem string
		switch s.stack[len(s.stack)-1].kind {
		case frameQuote:
			i, problem = s.quoted(i)
		case frameHeredoc:
			i, problem = s.heredoc(i)
		default:
			i, problem = s.code(i)
		}
		if problem != "" {
			return start, problem // where the token that went too deep starts
		}
	}
	return 0, ""
}

func (s *nestScan) tooDeep() string {
	return fmt.Sprintf("blocks, brackets, strings and operators nest more than %d levels deep here", s.max)
}

func (s *nestScan) push(f frame) string {
	s.stack = append(s.stack, f)
	s.depth++
	s.prevValue = false
	if s.depth > s.max {
		return s.tooDeep()
	}
	return ""
}

// op counts an operator in the innermost frame.
func (s *nestScan) op() string {
	s.stack[len(s.stack)-1].ops++
	s.depth++
	s.prevValue = false
	if s.depth > s.max {
		return s.tooDeep()
	}
	return ""
}

// reset ends the current item of the innermost frame.
func (s *nestScan) reset() {
	top := &s.stack[len(s.stack)-1]
	s.depth -= top.ops
	top.ops = 0
	s.prevValue = false
}

// pop closes the innermost frame.
func (s *nestScan) pop() {
	top := s.stack[len(s.stack)-1]
	s.depth -= 1 + top.ops
	s.stack = s.stack[:len(s.stack)-1]
}

// closeBrace handles "}" in code: like the HCL scanner, it closes the
// innermost body or interpolation; brackets left open above it stay counted.
func (s *nestScan) closeBrace() {
	for j := len(s.stack) - 1; j > 0; j-- {
		k := s.stack[j].kind
		if k != frameBody && k != frameInterp {
			continue
		}
		s.stack = s.stack[:j+1] // frames abandoned above j keep their depth
		s.pop()
		s.prevValue = k == frameBody
		return
	}
}

// closeBracket handles "]" and ")": they close only their own kind; a
// mismatched one is the parser's to report and closes nothing here.
func (s *nestScan) closeBracket(k frameKind) {
	if s.stack[len(s.stack)-1].kind == k {
		s.pop()
		s.prevValue = true
	}
}

func (s *nestScan) code(i int) (int, string) {
	src := s.src
	c := src[i]
	next := byte(0)
	if i+1 < len(src) {
		next = src[i+1]
	}
	switch {
	case c == '\n':
		// Newlines end an item only where the parser heeds them: in block
		// and object bodies, not in brackets, interpolations or {for …}.
		if top := s.stack[len(s.stack)-1]; top.kind == frameBody && !top.forExpr {
			s.reset()
		}
		return i + 1, ""
	case c == ' ' || c == '\t' || c == '\r' || c == '~':
		return i + 1, ""
	case c == '#' || c == '/' && next == '/':
		if e := bytes.IndexByte(src[i:], '\n'); e >= 0 {
			return i + e, ""
		}
		return len(src), ""
	case c == '/' && next == '*':
		if s.noCommentEnd == 0 || i < s.noCommentEnd {
			if e := bytes.Index(src[i+2:], []byte("*/")); e >= 0 {
				return i + 2 + e + 2, ""
			}
			s.noCommentEnd = i
		}
		// Unterminated: the HCL scanner takes "/" and "*" as operators and
		// goes on scanning code.
		return i + 1, s.op()
	case c == '"':
		return i + 1, s.push(frame{kind: frameQuote})
	case c == '<' && next == '<':
		if f, end, problem := heredocStart(src, i); problem != "" {
			return i, problem
		} else if end > 0 {
			return end, s.push(f)
		}
		return i + 1, s.op()
	case c == '{':
		return i + 1, s.push(frame{kind: frameBody, forExpr: forAhead(src[i+1:])})
	case c == '}':
		s.closeBrace()
		return i + 1, ""
	case c == '[':
		if s.prevValue {
			if p := s.op(); p != "" {
				return i, p
			}
		}
		return i + 1, s.push(frame{kind: frameBrack})
	case c == '(':
		return i + 1, s.push(frame{kind: frameParen})
	case c == ']':
		s.closeBracket(frameBrack)
		return i + 1, ""
	case c == ')':
		s.closeBracket(frameParen)
		return i + 1, ""
	case c == ',':
		s.reset()
		return i + 1, ""
	case c == '=' && next == '=', c == '!' && next == '=', c == '<' && next == '=', c == '>' && next == '=',
		c == '&' && next == '&', c == '|' && next == '|':
		return i + 2, s.op()
	case c == '=' || c == ':':
		s.prevValue = false
		return i + 1 + b2i(c == '=' && next == '>'), ""
	case c == '.' && next == '.' && i+2 < len(src) && src[i+2] == '.':
		return i + 3, s.op()
	case bytes.IndexByte([]byte("!-+*/%<>?.&|"), c) >= 0:
		return i + 1, s.op()
	case c >= '0' && c <= '9':
		return s.number(i), ""
	case isIdentByte(c):
		j := i + 1
		for j < len(src) && (isIdentByte(src[j]) || src[j] >= '0' && src[j] <= '9' || src[j] == '-') {
			j++
		}
		s.prevValue = true
		return j, ""
	}
	return i + 1, ""
}

// forAhead reports whether src, after an opening brace, starts with the
// keyword "for" (after spaces, newlines and comments, conservatively).
func forAhead(src []byte) bool {
	rest := bytes.TrimLeft(src, " \t\r\n")
	if !bytes.HasPrefix(rest, []byte("for")) {
		return len(rest) > 0 && (rest[0] == '#' || rest[0] == '/') // a comment first: assume the worst
	}
	return len(rest) == 3 || !isIdentByte(rest[3]) && rest[3] != '-' && (rest[3] < '0' || rest[3] > '9')
}

// number skips a number literal: digits, a fraction, an exponent.
func (s *nestScan) number(i int) int {
	src := s.src
	digit := func(j int) bool { return j < len(src) && src[j] >= '0' && src[j] <= '9' }
	for i < len(src) {
		switch {
		case digit(i):
			i++
		case src[i] == '.' && digit(i+1):
			i += 2
		case (src[i] == 'e' || src[i] == 'E') && (digit(i+1) || i+2 < len(src) && (src[i+1] == '+' || src[i+1] == '-') && digit(i+2)):
			i += 2
		default:
			s.prevValue = true
			return i
		}
	}
	s.prevValue = true
	return i
}

// template handles "${" and "%{" (and their escapes "$${", "%%{") in a
// string or heredoc; ok is false when src[i] starts neither.
func (s *nestScan) template(i int) (int, string, bool) {
	src := s.src
	c := src[i]
	if c != '$' && c != '%' {
		return i, "", false
	}
	if i+2 < len(src) && src[i+1] == c && src[i+2] == '{' {
		return i + 3, "", true
	}
	if i+1 >= len(src) || src[i+1] != '{' {
		return i + 1, "", true
	}
	if c == '%' { // directives (if, for) nest in the template parser
		if p := s.op(); p != "" {
			return i, p, true
		}
	}
	if top := &s.stack[len(s.stack)-1]; top.kind == frameHeredoc {
		top.lineStart = false
	}
	return i + 2, s.push(frame{kind: frameInterp}), true
}

func (s *nestScan) quoted(i int) (int, string) {
	src := s.src
	switch src[i] {
	case '"':
		s.pop()
		s.prevValue = true
		return i + 1, ""
	case '\\':
		if i+1 < len(src) && src[i+1] != '\n' && src[i+1] != '\r' {
			return i + 2, ""
		}
		return i + 1, ""
	}
	if j, p, ok := s.template(i); ok {
		return j, p
	}
	return i + 1, ""
}

func (s *nestScan) heredoc(i int) (int, string) {
	src := s.src
	top := &s.stack[len(s.stack)-1]
	if top.lineStart {
		top.lineStart = false
		if e := bytes.IndexByte(src[i:], '\n'); e >= 0 && bytes.Equal(bytes.TrimSpace(src[i:i+e]), top.marker) {
			s.pop()
			s.prevValue = true
			return i + e, ""
		}
	}
	if src[i] == '\n' {
		top.lineStart = true
		return i + 1, ""
	}
	if j, p, ok := s.template(i); ok {
		return j, p
	}
	return i + 1, ""
}

// heredocMarkerProblem is the problem of a heredoc marker with non-ASCII
// characters.
const heredocMarkerProblem = "a heredoc marker must be ASCII letters, digits, \"_\" and \"-\""

// heredocStart recognises "<<EOT\n" or "<<-EOT\n" at src[i]: the frame and
// the offset after the newline, or end 0 when it is not a heredoc. A marker
// with non-ASCII characters is refused, since whether the HCL scanner
// takes it for a heredoc depends on Unicode tables.
func heredocStart(src []byte, i int) (frame, int, string) {
	j := i + 2
	if j < len(src) && src[j] == '-' {
		j++
	}
	k := j
	for j < len(src) && (isIdentByte(src[j]) || src[j] == '-' || src[j] >= '0' && src[j] <= '9') {
		j++
	}
	if j == k || src[k] == '-' || !isIdentByte(src[k]) {
		return frame{}, 0, ""
	}
	end := j
	if end < len(src) && src[end] == '\r' {
		end++
	}
	if end >= len(src) || src[end] != '\n' {
		return frame{}, 0, ""
	}
	marker := src[k:j]
	for _, b := range marker {
		if b >= utf8.RuneSelf {
			return frame{}, 0, heredocMarkerProblem
		}
	}
	return frame{kind: frameHeredoc, marker: marker, lineStart: true}, end + 1, ""
}

// isIdentByte: a byte that may start an identifier (non-ASCII bytes too:
// the HCL scanner takes Unicode letters).
func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= utf8.RuneSelf
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// jsonNestingProblem returns the offset at which a JSON document nests
// arrays and objects deeper than limit, or -1.
func jsonNestingProblem(data []byte, limit int) int {
	problem := -1
	walkJSONBrackets(data, func(off int, c byte, depth int) bool {
		if (c == '[' || c == '{') && depth >= limit {
			problem = off
			return false
		}
		return true
	})
	return problem
}

// walkJSONBrackets calls visit for each bracket and brace of a JSON
// document outside its strings, with the nesting depth before it, until
// visit returns false. One linear scan; it does not check the syntax.
func walkJSONBrackets(data []byte, visit func(off int, c byte, depth int) bool) {
	depth := 0
	inStr, esc := false, false
	for off, c := range data {
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '[', '{':
			if !visit(off, c, depth) {
				return
			}
			depth++
		case ']', '}':
			if !visit(off, c, depth) {
				return
			}
			depth = max(depth-1, 0)
		}
	}
}

// checkNesting is the diagnostic for a configuration file that nests too
// deeply, positioned where it does.
func checkNesting(filename string, src []byte) hcl.Diagnostics {
	off, problem := nestingProblem(src, MaxNestingDepth)
	if problem == "" {
		return nil
	}
	summary := "Configuration nested too deeply"
	if problem == heredocMarkerProblem {
		summary = "Unsupported heredoc marker"
	}
	rng := posRange(filename, src, off)
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   problem + "; the file is not parsed (a tend configuration never needs this, and parsing it could exhaust the stack).",
		Subject:  &rng,
	}}
}

// posRange is a one-character range at a byte offset, with the column
// counted in characters as HCL does.
func posRange(filename string, src []byte, off int) hcl.Range {
	off = min(max(off, 0), len(src))
	line, lineStart := 1, 0
	for j, c := range src[:off] {
		if c == '\n' {
			line++
			lineStart = j + 1
		}
	}
	col := utf8.RuneCount(src[lineStart:off]) + 1
	return hcl.Range{
		Filename: filename,
		Start:    hcl.Pos{Line: line, Column: col, Byte: off},
		End:      hcl.Pos{Line: line, Column: col + 1, Byte: off + 1},
	}
}
