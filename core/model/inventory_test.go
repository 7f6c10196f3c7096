package model

import (
	"encoding/json"
	"testing"
	"time"
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
