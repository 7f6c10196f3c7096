package commitid

import "strings"

// logLength is how much of an id logs and error messages show: enough to
// stay unique in any repository tend follows.
const logLength = 12

// reportLength is how much of a commit id reports and webhook replies show,
// the length Git abbreviates to by default.
const reportLength = 7

// Short returns the first twelve characters of id, for logs and error
// messages; an empty id is "(none)", so a message never has a hole.
func Short(id string) string {
	switch {
	case id == "":
		return "(none)"
	case len(id) > logLength:
		return id[:logLength]
	}
	return id
}

// Abbrev abbreviates a full hexadecimal commit id (at least twelve hex
// digits) to seven, as reports and webhook replies show it, and leaves
// anything else (a tag, "dirty", "") as it is.
func Abbrev(id string) string {
	if len(id) < logLength || strings.Trim(id, "0123456789abcdefABCDEF") != "" {
		return id
	}
	return id[:reportLength]
}
