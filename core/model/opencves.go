package model

import (
	"bytes"
	"encoding/json"
	"iter"
)

// OpenCVEs lists an inventory's open CVEs by installed package: one
// OpenPackage per package and version, in package order, each with its
// CVEs sorted. In JSON it is the contract's flat list, one object per CVE
// ({"package", "version", "cve"}), written and read by MarshalJSON and
// UnmarshalJSON.
//
// The OpenPackages may be shared with other inventories (the matcher
// builds one per package version for a whole fleet, so a host's list costs
// a pointer per package, not an entry per CVE): read them, never change
// them; build a new list instead. Every OpenPackage has at least one CVE
// (so an empty list is one of no packages). Len counts CVEs, All and List
// expand.
type OpenCVEs []*OpenPackage

// OpenPackage is an installed package at a version and its CVEs with no
// fix available, sorted.
type OpenPackage struct {
	Package string
	Version string
	CVEs    []string
}

// OpenCVE is a CVE an installed package has with no fix available.
type OpenCVE struct {
	Package string `json:"package"`
	Version string `json:"version"`
	CVE     string `json:"cve"`
}

// OpenCVEsOf groups a flat list, as JSON has it, into OpenCVEs: each run
// of entries with the same package and version becomes one OpenPackage
// (its canonical form: matching a snapshot and reading it back give equal
// lists). Nil for an empty list.
func OpenCVEsOf(list []OpenCVE) OpenCVEs {
	if len(list) == 0 {
		return nil
	}
	var out OpenCVEs
	for i := 0; i < len(list); {
		j := i + 1
		for j < len(list) && list[j].Package == list[i].Package && list[j].Version == list[i].Version {
			j++
		}
		p := &OpenPackage{Package: list[i].Package, Version: list[i].Version, CVEs: make([]string, j-i)}
		for k := i; k < j; k++ {
			p.CVEs[k-i] = list[k].CVE
		}
		out = append(out, p)
		i = j
	}
	return out
}

// Len is how many open CVEs the list holds (host × package × CVE).
func (o OpenCVEs) Len() int {
	n := 0
	for _, p := range o {
		n += len(p.CVEs)
	}
	return n
}

// All yields every open CVE, in order.
func (o OpenCVEs) All() iter.Seq[OpenCVE] {
	return func(yield func(OpenCVE) bool) {
		for _, p := range o {
			for _, id := range p.CVEs {
				if !yield(OpenCVE{Package: p.Package, Version: p.Version, CVE: id}) {
					return
				}
			}
		}
	}
}

// List returns every open CVE, in order, as a new flat list.
func (o OpenCVEs) List() []OpenCVE {
	if len(o) == 0 {
		return nil
	}
	out := make([]OpenCVE, 0, o.Len())
	for c := range o.All() {
		out = append(out, c)
	}
	return out
}

// MarshalJSON writes the flat list. It leaves HTML characters unescaped:
// the encoder around it escapes them as it was told to (encoding/json and
// goccy/go-json both do), so the bytes are those a []OpenCVE gives.
func (o OpenCVEs) MarshalJSON() ([]byte, error) {
	list := o.List()
	if list == nil && o != nil {
		list = []OpenCVE{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(list); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads the flat list (null for none).
func (o *OpenCVEs) UnmarshalJSON(b []byte) error {
	var list []OpenCVE
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*o = OpenCVEsOf(list)
	if *o == nil && list != nil {
		*o = OpenCVEs{}
	}
	return nil
}
