package model

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// updateSeeds are updates as the snapshots of examples/ and the apt
// provider write them.
var updateSeeds = []string{
	`{"id": "openssl", "name": "openssl", "from": "3.0.11-1~deb12u1", "to": "3.0.11-1~deb12u2",
	  "classification": "security", "severity": "", "cves": ["CVE-2024-0727"], "kb": "",
	  "released_at": "2026-11-20T00:00:00Z", "reboot_required": false}`,
	`{"id": "KB5034441", "name": "2024-01 Security Update", "from": "", "to": "KB5034441",
	  "classification": "security", "severity": "Critical", "cves": [], "kb": "KB5034441",
	  "released_at": "2026-11-12T18:00:00+01:00", "reboot_required": true}`,
	`{"id": "libc6:i386", "name": "libc6", "from": "2.36-9+deb12u7", "to": "2.36-9+deb12u14", "released_at": null}`,
	`{"name": "a", "to": "2", "released_at": ""}`,
	`{"name": "a", "to": "2", "released_at": "0001-01-01T00:00:00Z"}`,
	`{"name": "a", "to": "2", "released_at": "yesterday"}`,
	`{"name": "\u00e9\xff", "cves": null}`,
}

// FuzzUpdateJSON checks that an update that decodes survives a round
// trip: decode → encode → decode gives the same update, and encoding that
// again gives the same bytes.
func FuzzUpdateJSON(f *testing.F) {
	for _, s := range updateSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var u Update
		if err := json.Unmarshal(data, &u); err != nil {
			return
		}
		b1, err := json.Marshal(u)
		if err != nil {
			t.Fatalf("decoded %q, but encoding %+v fails: %v", data, u, err)
		}
		var back Update
		if err := json.Unmarshal(b1, &back); err != nil {
			t.Fatalf("encoded %+v as %s, which does not decode: %v", u, b1, err)
		}
		if !u.ReleasedAt.Equal(back.ReleasedAt) {
			t.Fatalf("released_at %v encoded as %s decodes as %v", u.ReleasedAt, b1, back.ReleasedAt)
		}
		u.ReleasedAt = back.ReleasedAt // equal instants; the locations may differ
		if u.CVEs == nil {
			u.CVEs = []string{} // encoded as []
		}
		if diff := cmp.Diff(u, back); diff != "" {
			t.Fatalf("round trip through %s (-decoded +again):\n%s", b1, diff)
		}
		b2, err := json.Marshal(back)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("encoding is not stable: %s then %s (%v)", b1, b2, err)
		}
	})
}

// FuzzActionCountsJSON checks that the hand-written encoder of the plan
// summary's counts writes JSON that decodes to the same counts, whatever
// the action names.
func FuzzActionCountsJSON(f *testing.F) {
	f.Add([]byte(`{"install":0,"upgrade":2,"downgrade":3,"remove":0,"hold":0,"reboot":1,"unhold":4}`))
	f.Add([]byte(`{"a\"b":1,"\u2028":-3,"":9223372036854775807}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c ActionCounts
		if err := json.Unmarshal(data, &c); err != nil {
			return
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("decoded %q, but encoding %v fails: %v", data, c, err)
		}
		var back ActionCounts
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("encoded %v as %s, which does not decode: %v", c, b, err)
		}
		if diff := cmp.Diff(c, back); diff != "" {
			t.Fatalf("round trip through %s (-decoded +again):\n%s", b, diff)
		}
	})
}
