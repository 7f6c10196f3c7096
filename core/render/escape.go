package render

import "strings"

// Strings in a plan come from configuration and from hosts (package names,
// reasons, warnings); none of them may change the layout of a view.

// cleanText replaces control characters (which could move the cursor or
// change colours on a terminal) with U+FFFD and line breaks with spaces.
func cleanText(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case isControl(r):
			return '\uFFFD'
		}
		return r
	}, s)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// mdSpecial are the characters that could start Markdown formatting, a
// table cell, HTML, an entity or a strikethrough (Debian versions carry "~").
const mdSpecial = "\\`*_[]<>|~&"

// mdText makes a user-provided string read literally in Markdown text and
// table cells, with backslash escapes. An underscore between letters or
// digits cannot start emphasis, so "web_1" stays as it is.
func mdText(s string) string {
	s = cleanText(s)
	if !strings.ContainsAny(s, mdSpecial) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if strings.ContainsRune(mdSpecial, r) && !(r == '_' && wordAt(s, i-1) && wordAt(s, i+1)) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// wordAt reports whether s has an ASCII letter or digit at byte i.
func wordAt(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// htmlEscaper escapes for raw HTML such as <summary>, where Markdown
// backslash escapes do not apply; | and ` as well, for safety in tables.
var htmlEscaper = strings.NewReplacer(
	`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `|`, "&#124;", "`", "&#96;",
)

// htmlText makes a user-provided string safe inside an HTML element.
func htmlText(s string) string { return htmlEscaper.Replace(cleanText(s)) }
