package config

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// HostListEntry is one entry of a hosts file as tend writes it (tend
// hosts export): the fields a `hosts` block reads, empty ones left out.
type HostListEntry struct {
	Name      string            `json:"name"`
	Address   string            `json:"address,omitempty"`
	Transport string            `json:"transport,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// EncodeHostList renders entries as a hosts file: a JSON array sorted by
// name, one entry per line (so a pull request's diff shows one line per
// host), keys in a fixed order and labels sorted, a trailing newline.
func EncodeHostList(entries []HostListEntry) ([]byte, error) {
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b HostListEntry) int { return strings.Compare(a.Name, b.Name) })
	var b bytes.Buffer
	b.WriteString("[")
	for i, e := range sorted {
		line, err := marshalNoEscape(e)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  ")
		b.Write(line)
	}
	if len(sorted) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}

// marshalNoEscape is json.Marshal without HTML escaping (encoding/json
// sorts map keys, so labels come out sorted).
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
