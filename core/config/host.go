package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

var hostSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "transport"}, {Name: "address"}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "ssh"}},
}

var sshSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "user"}, {Name: "identity_file"}, {Name: "known_hosts_file"}, {Name: "port"}, {Name: "sudo"},
	},
}

var hostListSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "file", Required: true}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "ssh"}},
}

func (d *decoder) decodeHost(block *hcl.Block) *Host {
	h := &Host{Name: block.Labels[0], Labels: map[string]string{}, DeclRange: block.DefRange}
	content, diags := block.Body.Content(hostSchema)
	d.add(diags)
	if a, ok := content.Attributes["address"]; ok {
		h.Address, _ = d.str(a)
	}
	h.Transport = TransportLocal
	if h.Address != "" {
		h.Transport = TransportSSH
	}
	if a, ok := content.Attributes["transport"]; ok {
		if t, ok := oneOf(d, a, TransportLocal, TransportSSH); ok {
			h.Transport = t
			if t == TransportSSH && h.Address == "" {
				d.errorf(a.Expr.Range(), "Missing address", "Host %q uses transport \"ssh\" and needs an address.", h.Name)
			}
		}
	}
	if a, ok := content.Attributes["labels"]; ok {
		if m, ok := d.labels(a); ok {
			h.Labels = m
		}
	}
	h.SSH = d.decodeSSHBlocks(content.Blocks)
	return h
}

func (d *decoder) decodeSSHBlocks(blocks hcl.Blocks) *SSH {
	var s *SSH
	for _, b := range blocks {
		if s != nil {
			d.errorf(b.DefRange, "Duplicate ssh block", "Only one ssh block is allowed here.")
			continue
		}
		s = &SSH{DeclRange: b.DefRange}
		content, diags := b.Body.Content(sshSchema)
		d.add(diags)
		for name, a := range content.Attributes {
			switch name {
			case "user":
				s.User, _ = d.str(a)
			case "identity_file":
				s.IdentityFile, _ = d.str(a)
			case "known_hosts_file":
				s.KnownHostsFile, _ = d.str(a)
			case "port":
				if p, ok := d.integer(a); ok {
					if p < 1 || p > 65535 {
						d.errorf(a.Expr.Range(), "Invalid port", "port must be between 1 and 65535; got %d.", p)
					}
					s.Port = p
				}
			case "sudo":
				s.Sudo, _ = d.boolean(a)
			}
		}
	}
	return s
}

func (d *decoder) addHost(h *Host) {
	if prev, ok := d.cfg.Hosts[h.Name]; ok {
		d.duplicate("host", h.Name, prev.DeclRange, h.DeclRange)
		return
	}
	d.cfg.Hosts[h.Name] = h
}

func (d *decoder) decodeHostList(block *hcl.Block) {
	name := block.Labels[0]
	if prev, ok := d.cfg.HostLists[name]; ok {
		d.duplicate("hosts list", name, prev.DeclRange, block.DefRange)
		return
	}
	l := &HostList{Name: name, Labels: map[string]string{}, DeclRange: block.DefRange}
	d.cfg.HostLists[name] = l
	content, diags := block.Body.Content(hostListSchema)
	d.add(diags)
	if a, ok := content.Attributes["labels"]; ok {
		if m, ok := d.labels(a); ok {
			l.Labels = m
		}
	}
	l.SSH = d.decodeSSHBlocks(content.Blocks)
	a, ok := content.Attributes["file"]
	if !ok {
		return
	}
	file, ok := d.str(a)
	if !ok {
		return
	}
	l.File = file
	path, ok := d.hostListPath(a, block.DefRange.Filename, file)
	if !ok {
		return
	}
	l.Path = path
	data, err := d.readFile(l.Path)
	var big tooLarge
	switch {
	case errors.Is(err, errOutside):
		d.outside(a, file, "it "+errOutside.Error())
		return
	case errors.As(err, &big):
		d.errorf(a.Expr.Range(), "Host list too large", "%s %s.", file, err)
		return
	case err != nil:
		d.errorf(a.Expr.Range(), "Cannot read host list", "%s %s.", file, err)
		return
	}
	if !d.budget(l.Path, len(data), MaxHostListSize, "Host list too large") {
		return
	}
	d.cfg.Sources[l.Path] = data
	if off := jsonNestingProblem(data, MaxNestingDepth); off >= 0 {
		d.errorf(newLineIndex(data).rangeAt(l.Path, off), "Host list nested too deeply",
			"%s: arrays and objects nest more than %d levels deep here; the file is not decoded.", file, MaxNestingDepth)
		return
	}
	d.loadHostList(l, data)
}

// hostListPath resolves a host list's file, written relative to the
// declaring file, refusing one that is absolute or climbs out of the
// configuration directory before anything is read.
func (d *decoder) hostListPath(a *hcl.Attribute, declaredIn, file string) (string, bool) {
	if filepath.IsAbs(file) || strings.HasPrefix(file, "/") || strings.HasPrefix(file, `\`) || filepath.VolumeName(file) != "" {
		d.outside(a, file, "it is an absolute path")
		return "", false
	}
	path := filepath.Join(filepath.Dir(declaredIn), file)
	if rel, err := filepath.Rel(d.cfg.Dir, path); err != nil || !filepath.IsLocal(rel) {
		d.outside(a, file, "it climbs out of the configuration directory")
		return "", false
	}
	return path, true
}

func (d *decoder) outside(a *hcl.Attribute, file, why string) {
	d.errorf(a.Expr.Range(), "Host list outside the configuration directory",
		"file = %q is not read: %s. A host list is a path relative to the file that declares it, inside the configuration directory.", file, why)
}

// hostEntry is one element of a host list file.
type hostEntry struct {
	Name      string            `json:"name"`
	Address   string            `json:"address"`
	Transport string            `json:"transport"`
	Labels    map[string]string `json:"labels"`
}

func (d *decoder) loadHostList(l *HostList, data []byte) {
	var entries []hostEntry
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&entries); err != nil {
		rng := jsonErrorRange(l.Path, data, dec, err)
		d.errorf(rng, "Invalid host list", "%s: %s (expected a JSON array of {\"name\", \"address\", \"transport\", \"labels\"}).", l.File, err)
		return
	}
	starts := objectStarts(data)
	lines := newLineIndex(data)
	for i, e := range entries {
		at := lines.rangeAt(l.Path, 0)
		if i < len(starts) {
			at = lines.rangeAt(l.Path, starts[i])
		}
		if p := nameProblem(e.Name); p != "" {
			d.errorf(at, "Invalid host name", "Entry %d of %s: %+q is not a valid host name: %s; %s.", i, l.File, e.Name, p, nameRule)
			continue
		}
		if bad := d.entryLabels(at, e, l.File); bad {
			continue
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
		switch {
		case h.Transport != TransportLocal && h.Transport != TransportSSH:
			d.errorf(at, "Invalid transport", "Host %q in %s: transport must be \"local\" or \"ssh\"; got %q.", h.Name, l.File, h.Transport)
			continue
		case h.Transport == TransportSSH && h.Address == "":
			d.errorf(at, "Missing address", "Host %q in %s uses transport \"ssh\" and needs an address.", h.Name, l.File)
			continue
		}
		l.Hosts = append(l.Hosts, h.Name)
		d.addHost(h)
	}
	sort.Strings(l.Hosts)
}

// entryLabels reports the invalid labels of a host list entry; true when
// there were any.
func (d *decoder) entryLabels(at hcl.Range, e hostEntry, file string) bool {
	bad := false
	for _, k := range sortedKeys(e.Labels) {
		if p := labelProblem(fmt.Sprintf("Host %q in %s", e.Name, file), k, e.Labels[k]); p != "" {
			d.errorf(at, "Invalid label", "%s", p)
			bad = true
		}
	}
	return bad
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
