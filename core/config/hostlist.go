package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/tend-sh/tend/core/agentwire"
)

// HostList is a `hosts` block: hosts read from a JSON file.
type HostList struct {
	Name string
	File string // as written, relative to the declaring file's directory
	// Path is the resolved path; empty when File is missing or not inside
	// the configuration directory, and then nothing is read.
	Path      string
	Labels    map[string]string
	SSH       *SSH
	Hosts     []string
	FileRange hcl.Range // where File is written
	DeclRange hcl.Range
}

var hostListSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "file", Required: true}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "ssh"}},
}

// decodeHostList decodes a hosts block and resolves its file inside dir,
// the configuration directory. It reads nothing: the file's hosts are
// declared with the block.
func decodeHostList(block *hcl.Block, dir string) (*HostList, hcl.Diagnostics) {
	l := &HostList{Name: block.Labels[0], Labels: map[string]string{}, DeclRange: block.DefRange}
	content, diags := block.Body.Content(hostListSchema)
	var more hcl.Diagnostics
	if a, ok := content.Attributes["labels"]; ok {
		m, more := attrLabels(a)
		if !more.HasErrors() {
			l.Labels = m
		}
		diags = append(diags, more...)
	}
	l.SSH, more = decodeSSH(content.Blocks)
	diags = append(diags, more...)
	a, ok := content.Attributes["file"]
	if !ok {
		return l, diags
	}
	l.File, more = attrString(a)
	diags = append(diags, more...)
	if more.HasErrors() {
		return l, diags
	}
	l.FileRange = a.Expr.Range()
	l.Path, more = hostListPath(l, dir, block.DefRange.Filename)
	return l, append(diags, more...)
}

// hostListPath resolves a host list's file, written relative to the
// declaring file, refusing one that is absolute or climbs out of the
// configuration directory dir before anything is read.
func hostListPath(l *HostList, dir, declaredIn string) (string, hcl.Diagnostics) {
	file := l.File
	if filepath.IsAbs(file) || strings.HasPrefix(file, "/") || strings.HasPrefix(file, `\`) || filepath.VolumeName(file) != "" {
		return "", hcl.Diagnostics{outsideDiag(l, "it is an absolute path")}
	}
	path := filepath.Join(filepath.Dir(declaredIn), file)
	if rel, err := filepath.Rel(dir, path); err != nil || !filepath.IsLocal(rel) {
		return "", hcl.Diagnostics{outsideDiag(l, "it climbs out of the configuration directory")}
	}
	return path, nil
}

// outsideDiag is the error of a host list file that is not read because it
// is not inside the configuration directory; why says how.
func outsideDiag(l *HostList, why string) *hcl.Diagnostic {
	return errorAt(l.FileRange, "Host list outside the configuration directory",
		"file = %q is not read: %s. A host list is a path relative to the file that declares it, inside the configuration directory.", l.File, why)
}

// hostEntry is one element of a host list file.
type hostEntry struct {
	Name      string            `json:"name"`
	Address   string            `json:"address"`
	Transport string            `json:"transport"`
	Labels    map[string]string `json:"labels"`
	Suspend   *entrySuspend     `json:"suspend"`
	// suspendAt is where the "suspend" field is written.
	suspendAt hcl.Range
}

// entrySuspend is a host list entry's "suspend" object: what a host
// block's suspend block says, for hosts that come from a list.
type entrySuspend struct {
	Until  string `json:"until"`
	Reason string `json:"reason"`
}

// parseHostList decodes the JSON of a host list; each entry comes with the
// range of its object, for diagnostics.
func parseHostList(l *HostList, data []byte) ([]hostEntry, []hcl.Range, hcl.Diagnostics) {
	var entries []hostEntry
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&entries); err != nil {
		if d := unknownFieldDiag(l, data); d != nil {
			return nil, nil, hcl.Diagnostics{d}
		}
		rng := jsonErrorRange(l.Path, data, dec, err)
		return nil, nil, hcl.Diagnostics{errorAt(rng, "Invalid host list", "%s: %s (expected a JSON array of {\"name\", \"address\", \"transport\", \"labels\", \"suspend\"}).", l.File, err)}
	}
	starts := objectStarts(data)
	lines := newLineIndex(data)
	ranges := make([]hcl.Range, len(entries))
	suspends := entryFieldOffsets(data, "suspend")
	for i := range entries {
		ranges[i] = lines.rangeAt(l.Path, 0)
		if i < len(starts) {
			ranges[i] = lines.rangeAt(l.Path, starts[i])
		}
		entries[i].suspendAt = ranges[i]
		if off, ok := suspends[i]; ok {
			entries[i].suspendAt = lines.rangeAt(l.Path, off)
		}
	}
	return entries, ranges, nil
}

// decodeHostEntry turns the i-th entry of host list l, found at at, into a
// host; nil when the entry is not valid. The list's labels come first, the
// entry's own override them; the transport defaults as for a host block.
func decodeHostEntry(l *HostList, i int, e hostEntry, at hcl.Range) (*Host, hcl.Diagnostics) {
	if p := nameProblem(e.Name); p != "" {
		return nil, hcl.Diagnostics{errorAt(at, "Invalid host name", "Entry %d of %s: %+q is not a valid host name: %s; %s.", i, l.File, e.Name, p, nameRule)}
	}
	if diags := entryLabels(at, e, l.File); diags.HasErrors() {
		return nil, diags
	}
	h := &Host{Name: e.Name, Address: e.Address, Transport: e.Transport, Labels: map[string]string{}, List: l.Name, SSH: l.SSH, DeclRange: at}
	for k, v := range l.Labels {
		h.Labels[k] = v
	}
	for k, v := range e.Labels {
		h.Labels[k] = v
	}
	if h.Transport == "" {
		h.Transport = TransportSSH
		if h.Address == "" {
			h.Transport = TransportLocal
		}
	}
	if e.Suspend != nil {
		var diags hcl.Diagnostics
		if h.Suspend, diags = entrySuspendOf(l, e); diags.HasErrors() {
			return nil, diags
		}
	}
	switch {
	case h.Transport != TransportLocal && h.Transport != TransportSSH && h.Transport != TransportAgent:
		return nil, hcl.Diagnostics{errorAt(at, "Invalid transport", "Host %q in %s: transport must be \"local\", \"ssh\" or \"agent\"; got %q.", h.Name, l.File, h.Transport)}
	case h.Transport == TransportAgent && agentwire.ValidToken(h.Name) != nil:
		return nil, hcl.Diagnostics{errorAt(at, "Invalid agent host name", "Host %q in %s uses transport \"agent\": %v.", h.Name, l.File, agentwire.ValidToken(h.Name))}
	case h.Transport == TransportSSH && h.Address == "":
		return nil, hcl.Diagnostics{errorAt(at, "Missing address", "Host %q in %s uses transport \"ssh\" and needs an address.", h.Name, l.File)}
	}
	return h, nil
}

// entrySuspendOf decodes a host list entry's "suspend" object as a host
// block's suspend block, with its diagnostics at the field.
func entrySuspendOf(l *HostList, e hostEntry) (*Suspend, hcl.Diagnostics) {
	s := &Suspend{UntilText: e.Suspend.Until, Reason: e.Suspend.Reason, DeclRange: e.suspendAt}
	var diags hcl.Diagnostics
	if e.Suspend.Until == "" {
		diags = append(diags, errorAt(e.suspendAt, "Missing suspend until", "Host %q in %s: suspend needs \"until\", a date like \"2027-01-31\" (inclusive, UTC) or an RFC 3339 time.", e.Name, l.File))
	} else if s.Until = parseUntil(e.Suspend.Until); s.Until == nil {
		diags = append(diags, errorAt(e.suspendAt, "Invalid date", "Host %q in %s: suspend's until must be a date like \"2027-01-31\" (inclusive, UTC) or an RFC 3339 time like \"2027-01-31T18:00:00Z\"; got %q.", e.Name, l.File, e.Suspend.Until))
	}
	if strings.TrimSpace(e.Suspend.Reason) == "" {
		diags = append(diags, errorAt(e.suspendAt, "Missing reason", "Host %q in %s: suspend needs a \"reason\", so the next reader knows why.", e.Name, l.File))
	}
	return s, diags
}

// entryLabels reports the invalid labels of a host list entry.
func entryLabels(at hcl.Range, e hostEntry, file string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, k := range sortedKeys(e.Labels) {
		if p := labelProblem(fmt.Sprintf("Host %q in %s", e.Name, file), k, e.Labels[k]); p != "" {
			diags = append(diags, errorAt(at, "Invalid label", "%s", p))
		}
	}
	return diags
}

// hostEntryFields are the fields a host list entry may have.
var hostEntryFields = []string{"name", "address", "transport", "labels", "suspend"}

// suspendFields are the fields of a host list entry's "suspend" object.
var suspendFields = []string{"until", "reason"}

// unknownFieldDiag finds the first field of a host list entry that is not
// one of hostEntryFields, by walking the JSON's tokens, and reports it at
// its own position with a suggestion; nil when there is none (the decode
// error is about something else).
func unknownFieldDiag(l *HostList, data []byte) *hcl.Diagnostic {
	dec := json.NewDecoder(bytes.NewReader(data))
	depth, wantKey := 0, false
	// key is the entry's last key; inSuspend and wantInner track the keys
	// of its "suspend" object.
	key, inSuspend, wantInner := "", false, false
	unknown := func(before int64, t, what string, fields []string) *hcl.Diagnostic {
		off := int(before) + bytes.IndexByte(data[before:], '"')
		detail := fmt.Sprintf("%s: %s has no field %q; the fields are %s.", l.File, what, t, strings.Join(fields, ", "))
		if sug := suggest(t, fields); sug != "" {
			detail += fmt.Sprintf(" Did you mean %q?", sug)
		}
		return errorAt(newLineIndex(data).rangeAt(l.Path, off), "Unknown host list field", "%s", detail)
	}
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				depth++
				wantKey = t == '{' // an entry begins; deeper, it does not matter
				if depth == 3 {
					inSuspend, wantInner = t == '{' && key == "suspend", true
				}
			} else {
				depth--
				wantKey = true // back in an entry, a nested value ended
				if depth < 3 {
					inSuspend = false
				}
			}
			continue
		case string:
			if depth == 2 && wantKey {
				if !slices.Contains(hostEntryFields, t) {
					return unknown(before, t, "a host entry", hostEntryFields)
				}
				key = t
			}
			if depth == 3 && inSuspend && wantInner && !slices.Contains(suspendFields, t) {
				return unknown(before, t, "a host entry's suspend", suspendFields)
			}
		}
		// At depth 2 keys and values alternate; a nested value's tokens
		// are at a greater depth and leave the alternation alone.
		if depth == 2 {
			wantKey = !wantKey
		}
		if depth == 3 && inSuspend {
			wantInner = !wantInner
		}
	}
}

// entryFieldOffsets returns, by entry index, the byte offset of the
// entry's field key (entries without it are not in the map).
func entryFieldOffsets(data []byte, field string) map[int]int {
	out := map[int]int{}
	dec := json.NewDecoder(bytes.NewReader(data))
	depth, wantKey, entry := 0, false, -1
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		if t, ok := tok.(json.Delim); ok {
			if t == '{' || t == '[' {
				depth++
				if depth == 2 {
					entry++
				}
				wantKey = t == '{'
			} else {
				depth--
				wantKey = true
			}
			continue
		}
		if depth == 2 {
			if s, ok := tok.(string); ok && wantKey && s == field {
				out[entry] = int(before) + bytes.IndexByte(data[before:], '"')
			}
			wantKey = !wantKey
		}
	}
}

// objectStarts returns the byte offset of each object in a JSON array, by a
// single scan, so every host of a list can be pointed at.
func objectStarts(data []byte) []int {
	var starts []int
	walkJSONBrackets(data, func(off int, c byte, depth int) bool {
		if c == '{' && depth == 1 {
			starts = append(starts, off)
		}
		return true
	})
	return starts
}

func jsonErrorRange(filename string, data []byte, dec *json.Decoder, err error) hcl.Range {
	off := int(dec.InputOffset())
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = int(se.Offset)
	case errors.As(err, &te):
		off = int(te.Offset)
	}
	if off > 0 {
		off--
	}
	return newLineIndex(data).rangeAt(filename, off)
}

// lineIndex maps byte offsets to lines and columns.
type lineIndex struct {
	starts []int // byte offset of each line's first byte
	size   int
}

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{starts: []int{0}, size: len(data)}
	for off, c := range data {
		if c == '\n' {
			idx.starts = append(idx.starts, off+1)
		}
	}
	return idx
}

// rangeAt returns a one-character range at a byte offset; columns count
// bytes, as in a JSON parser's offsets.
func (idx lineIndex) rangeAt(filename string, off int) hcl.Range {
	off = min(max(off, 0), idx.size)
	line := sort.SearchInts(idx.starts, off+1) // lines starting at or before off
	col := off - idx.starts[line-1] + 1
	start := hcl.Pos{Line: line, Column: col, Byte: off}
	end := hcl.Pos{Line: line, Column: col + 1, Byte: off + 1}
	return hcl.Range{Filename: filename, Start: start, End: end}
}
