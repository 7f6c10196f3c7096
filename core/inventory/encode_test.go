package inventory

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// stdEncode is Encode as encoding/json writes it: the reference Encode's
// faster encoder must match byte for byte.
func stdEncode(s *model.Snapshot) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	err := enc.Encode(s)
	return buf.Bytes(), err
}

// TestEncodeMatchesEncodingJSON: Encode writes the bytes encoding/json
// writes, for strings that need escaping (HTML characters, U+2028 and
// U+2029, control characters, invalid UTF-8) in every kind of field,
// times with and without fractions and zones, and empty and nil lists.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	tricky := []string{"", "plain", "<a&b>", "line\u2028sep\u2029", "tab\tnl\ncr\r\x00\x1f\x7f", "bad\xff\xfeutf8", "quote\"back\\slash", "é ünïcödé 日本", "\U0001F600"}
	for i, s := range tricky {
		snap := &model.Snapshot{FormatVersion: "1", Host: "h" + s,
			ScannedAt: time.Date(2026, 11, 28, 6, 0, i, i*1000, time.FixedZone("x", 3600*i)),
			Providers: map[string]*model.ProviderInventory{
				"apt" + s: {Facts: map[string]string{"k" + s: s, "b": "c"}, PendingReboot: i%2 == 0,
					Installed:  []model.Installed{{ID: s, Name: s, Version: s, Arch: s, Source: s, SourceVersion: s}},
					Available:  []model.Update{{ID: s, Name: s, CVEs: []string{s}, Title: s, ReleasedAt: time.Date(2026, 1, 2, 3, 4, 5, i, time.UTC)}, {Name: "x"}},
					Versions:   map[string][]string{s: {s, "1"}},
					Unfinished: []model.Unfinished{{Name: s, Version: s, State: s}},
					OpenCVEs:   model.OpenCVEsOf([]model.OpenCVE{{Package: s, Version: s, CVE: s}, {Package: s, Version: s, CVE: "CVE-2"}, {Package: "z", CVE: s}}),
				},
				"empty": {},
			}}
		want, err := stdEncode(snap)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Encode(snap)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%q: Encode wrote\n%s\nencoding/json\n%s", s, got, want)
		}
	}
}
