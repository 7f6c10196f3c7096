package render

import (
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// TestWindowPhrase: an emergency policy's closed window is said to be
// ignored, right above the actions it plans now (issue 18, item 18).
func TestWindowPhrase(t *testing.T) {
	next := time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		w    *model.WindowInfo
		want string
	}{
		{nil, "no window (always open)"},
		{&model.WindowInfo{Name: "weekend", NextOpen: &next}, "window weekend closed, opens 2026-11-28T21:00:00Z"},
		{&model.WindowInfo{Name: "weekend", NextOpen: &next, Ignored: true}, "window weekend closed, ignored by the emergency policy"},
		{&model.WindowInfo{Name: "weekend", Open: true, Ignored: true}, "window weekend open (ignored: emergency policy)"},
	}
	for _, tt := range tests {
		if got := windowPhrase(tt.w); got != tt.want {
			t.Errorf("windowPhrase(%+v) = %q, want %q", tt.w, got, tt.want)
		}
	}
}

// TestUntilPhrase: a wait with no date says what it waits for, never
// "until unknown" (issue 18, item 20).
func TestUntilPhrase(t *testing.T) {
	at := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	tests := []struct {
		d    model.Deferred
		want string
	}{
		{model.Deferred{Until: &at, Reason: "window w closed"}, "until 2026-12-01T04:00:00Z"},
		{model.Deferred{Reason: "waiting for ring pilot: 2 of 2 hosts still need it"}, "until ring pilot is done"},
		{model.Deferred{Reason: "window w never opens"}, "never: no opening ahead"},
		{model.Deferred{Reason: "something else"}, "no date known"},
	}
	for _, tt := range tests {
		if got := untilPhrase(&tt.d); got != tt.want {
			t.Errorf("untilPhrase(%q) = %q, want %q", tt.d.Reason, got, tt.want)
		}
	}
}

// TestToVersion: a Windows update, whose version is its KB, prints the KB
// once (issue 18, item 20).
func TestToVersion(t *testing.T) {
	if got := packageTo("KB5092641", "KB5092641"); got != "KB5092641" {
		t.Errorf("packageTo(KB, KB) = %q", got)
	}
	if got := packageTo("curl", "7.88.1-10+deb12u14"); got != "curl 7.88.1-10+deb12u14" {
		t.Errorf("packageTo(curl, v) = %q", got)
	}
}
