package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/version"
)

func TestUpdateReleasedAt(t *testing.T) {
	var u Update
	if err := json.Unmarshal([]byte(`{"name": "a", "to": "2", "released_at": ""}`), &u); err != nil {
		t.Fatal(err)
	}
	if !u.ReleasedAt.IsZero() {
		t.Errorf("empty released_at = %v", u.ReleasedAt)
	}
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"","name":"a","from":"","to":"2","classification":"","severity":"","cves":[],"kb":"","released_at":"","reboot_required":false}`
	if string(b) != want {
		t.Errorf("marshal = %s\nwant      %s", b, want)
	}
	if err := json.Unmarshal([]byte(`{"name": "a", "released_at": "2026-11-20T00:00:00Z"}`), &u); err != nil {
		t.Fatal(err)
	}
	if !u.ReleasedAt.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("released_at = %v", u.ReleasedAt)
	}
	if err := json.Unmarshal([]byte(`{"name": "a", "released_at": "yesterday"}`), &u); err == nil {
		t.Error("bad released_at: want error")
	}
}

func TestProviderInventoryVersionScheme(t *testing.T) {
	// A section from before schemes: no field, and none written back.
	old := `{"facts":{},"pending_reboot":false,"installed":[],"available":[]}`
	var p ProviderInventory
	if err := json.Unmarshal([]byte(old), &p); err != nil {
		t.Fatal(err)
	}
	if p.VersionScheme != "" {
		t.Errorf("version_scheme = %q, want none", p.VersionScheme)
	}
	if b, _ := json.Marshal(p); string(b) != old {
		t.Errorf("marshal = %s\nwant      %s", b, old)
	}
	p.VersionScheme = version.Dotted
	b, _ := json.Marshal(p)
	var back ProviderInventory
	if err := json.Unmarshal(b, &back); err != nil || back.VersionScheme != version.Dotted {
		t.Errorf("round trip of %s: %q, %v", b, back.VersionScheme, err)
	}
	err := json.Unmarshal([]byte(`{"version_scheme": "rpm"}`), &p)
	if err == nil || !strings.Contains(err.Error(), `unknown version scheme "rpm"`) {
		t.Errorf("unknown scheme: err = %v", err)
	}
}
