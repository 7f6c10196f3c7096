package model

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	gojson "github.com/goccy/go-json"
)

// flatInventory is ProviderInventory's open_cves as it was before
// OpenCVEs: a plain list, one entry per CVE.
type flatInventory struct {
	Before   string    `json:"before"`
	OpenCVEs []OpenCVE `json:"open_cves,omitempty"`
	After    string    `json:"after"`
}

type groupedInventory struct {
	Before   string   `json:"before"`
	OpenCVEs OpenCVEs `json:"open_cves,omitempty"`
	After    string   `json:"after"`
}

// TestOpenCVEsJSONAsFlatList: OpenCVEs write the bytes the flat list
// wrote, through encoding/json and goccy/go-json, compact and indented,
// with HTML escaping on and off, for strings that need escaping, and for
// empty and nil lists; and read back to the same grouping.
func TestOpenCVEsJSONAsFlatList(t *testing.T) {
	tricky := []string{"", "plain", "<a&b>", "line\u2028sep\u2029", "tab\tnl\x00\x7f", "bad\xff\xfeutf8", "quote\"back\\slash", "日本\U0001F600"}
	lists := [][]OpenCVE{nil, {}}
	for _, s := range tricky {
		lists = append(lists, []OpenCVE{
			{Package: "a" + s, Version: s, CVE: "CVE-1" + s}, {Package: "a" + s, Version: s, CVE: "CVE-2"},
			{Package: "b", Version: "1", CVE: s}, {Package: "a" + s, Version: s, CVE: "CVE-3"},
		})
	}
	encoders := map[string]func(v any) ([]byte, error){
		"encoding/json": json.Marshal,
		"encoding/json indented, no HTML escaping": func(v any) ([]byte, error) {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			err := enc.Encode(v)
			return buf.Bytes(), err
		},
		"goccy/go-json": gojson.Marshal,
		"goccy/go-json indented, no HTML escaping": func(v any) ([]byte, error) {
			var buf bytes.Buffer
			enc := gojson.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			err := enc.Encode(v)
			return buf.Bytes(), err
		},
	}
	for i, list := range lists {
		grouped := groupedInventory{Before: "x", OpenCVEs: OpenCVEsOf(list), After: "y"}
		if got := grouped.OpenCVEs.Len(); got != len(list) {
			t.Errorf("list %d: Len %d, want %d", i, got, len(list))
		}
		if got := grouped.OpenCVEs.List(); !slices.Equal(got, list) {
			t.Errorf("list %d: List %v, want %v", i, got, list)
		}
		for name, enc := range encoders {
			want, err := enc(flatInventory{Before: "x", OpenCVEs: list, After: "y"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := enc(grouped)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("list %d, %s: wrote\n%s\nthe flat list\n%s", i, name, got, want)
			}
			// Read back: the flat list read from the same bytes, grouped
			// (invalid UTF-8 was written as U+FFFD).
			for dec, unmarshal := range map[string]func([]byte, any) error{"encoding/json": json.Unmarshal, "goccy/go-json": gojson.Unmarshal} {
				var back groupedInventory
				var flat flatInventory
				if err := unmarshal(got, &back); err != nil {
					t.Fatalf("list %d, %s read by %s: %v", i, name, dec, err)
				}
				if err := unmarshal(want, &flat); err != nil {
					t.Fatal(err)
				}
				if wantBack := OpenCVEsOf(flat.OpenCVEs); !reflect.DeepEqual(back.OpenCVEs, wantBack) && (len(back.OpenCVEs) > 0 || len(wantBack) > 0) {
					t.Errorf("list %d, %s read by %s: %v, want %v", i, name, dec, back.OpenCVEs.List(), flat.OpenCVEs)
				}
			}
		}
	}
	// A bare list: null for nil, [] for empty, as a []OpenCVE.
	for _, list := range []OpenCVEs{nil, {}} {
		got, err := json.Marshal(list)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal([]OpenCVE(list.List()))
		if list != nil {
			want = []byte("[]")
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%#v: %s, want %s", list, got, want)
		}
	}
}

// TestOpenCVEsOf: runs of one package and version become one OpenPackage,
// in order; All stops when asked.
func TestOpenCVEsOf(t *testing.T) {
	list := []OpenCVE{
		{"libc6", "2.36-9", "CVE-1"}, {"libc6", "2.36-9", "CVE-2"},
		{"libc6", "2.31-13", "CVE-1"}, {"libc6", "2.36-9", "CVE-3"}, {"zlib1g", "1", "CVE-4"},
	}
	got := OpenCVEsOf(list)
	want := OpenCVEs{
		{Package: "libc6", Version: "2.36-9", CVEs: []string{"CVE-1", "CVE-2"}},
		{Package: "libc6", Version: "2.31-13", CVEs: []string{"CVE-1"}},
		{Package: "libc6", Version: "2.36-9", CVEs: []string{"CVE-3"}},
		{Package: "zlib1g", Version: "1", CVEs: []string{"CVE-4"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("OpenCVEsOf = %v, want %v", got.List(), want.List())
	}
	var first []OpenCVE
	for c := range got.All() {
		if first = append(first, c); len(first) == 2 {
			break
		}
	}
	if !slices.Equal(first, list[:2]) {
		t.Errorf("All, first two: %v", first)
	}
	if OpenCVEsOf(nil) != nil || OpenCVEsOf([]OpenCVE{}) != nil {
		t.Error("OpenCVEsOf of an empty list is not nil")
	}
}
