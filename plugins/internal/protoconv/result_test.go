package protoconv

import (
	"testing"

	"github.com/tend-sh/tend/core/model"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
)

func TestResultFromProtoStatuses(t *testing.T) {
	for _, c := range []struct {
		status, message string
		want            model.Status
		wantMsg         string
	}{
		{"succeeded", "done", model.StatusSucceeded, "done"},
		{"failed", "dpkg error", model.StatusFailed, "dpkg error"},
		{"skipped", "", model.StatusSkipped, ""},
		{"interrupted", "", model.StatusInterrupted, ""},
		{"ok", "fine", model.StatusFailed, `provider reported unknown status "ok": fine`},
		{"rolled_back", "", model.StatusFailed, `provider reported unknown status "rolled_back"`},
		{"", "", model.StatusFailed, `provider reported unknown status ""`},
	} {
		got := ResultFromProto(&pb.ActionResult{ActionId: "h/apt/x", Status: c.status, Message: c.message})
		if got.Status != c.want || got.Message != c.wantMsg || got.ActionID != "h/apt/x" {
			t.Errorf("%q: got %+v, want %s %q", c.status, got, c.want, c.wantMsg)
		}
	}
}
