package inventory

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tend-sh/tend/core/reportsbranch"
)

// FuzzParse feeds arbitrary bytes to the snapshot parser. A snapshot it
// accepts must be one JSON value, name its host, its providers and every
// package entry, and survive a round trip: Encode → Parse → Encode gives
// the same bytes.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("../../examples/*/snapshots/*/" + reportsbranch.SnapshotFile)
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(trimmed(b))
		}
	}
	f.Add([]byte(good))
	f.Add([]byte(good + "\n"))
	f.Add([]byte(`{"format_version": "1", "host": "h", "scanned_at": "2026-11-23T09:59:58.5+01:00", "providers": {"apt": null}}`))
	f.Add([]byte(`{"format_version": "1", "host": "h", "scanned_at": "2026-11-23T09:59:58Z", "providers": {"apt": {
		"installed": [{"id": "libc6:i386", "name": "libc6", "version": "2.36-9", "arch": "i386"}],
		"versions": {"nginx": ["1.22.1-9"]}, "unfinished": [{"name": "broken", "version": "1.1", "state": "half-configured"}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz", data, "")
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted %q, which is not one JSON value", data)
		}
		if s.Host == "" {
			t.Fatalf("accepted %q without a host", data)
		}
		for pname, p := range s.Providers {
			if pname == "" {
				t.Fatalf("accepted a provider without a name: %q", data)
			}
			for i, it := range p.Installed {
				if it.Name == "" {
					t.Fatalf("accepted providers.%s.installed[%d] without a name: %q", pname, i, data)
				}
			}
			for i, u := range p.Unfinished {
				if u.Name == "" {
					t.Fatalf("accepted providers.%s.unfinished[%d] without a name: %q", pname, i, data)
				}
			}
		}
		enc, err := Encode(s)
		if err != nil {
			t.Fatalf("accepted %q, but cannot encode it: %v", data, err)
		}
		back, err := Parse("encoded", enc, s.Host)
		if err != nil {
			t.Fatalf("accepted %q, encoded it as\n%s\nwhich is refused: %v", data, enc, err)
		}
		again, err := Encode(back)
		if err != nil || !bytes.Equal(enc, again) {
			t.Fatalf("round trip of %q differs:\n%s\nthen\n%s (%v)", data, enc, again, err)
		}
	})
}

// trimmed is a snapshot with at most three entries in each list: big
// seeds make the fuzzer spend its time minimizing them.
func trimmed(b []byte) []byte {
	s, err := Parse("seed", b, "")
	if err != nil {
		return b
	}
	for _, p := range s.Providers {
		p.Installed = p.Installed[:min(3, len(p.Installed))]
		p.Available = p.Available[:min(3, len(p.Available))]
	}
	if out, err := Encode(s); err == nil {
		return out
	}
	return b
}
