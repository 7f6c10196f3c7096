package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProviderActions(t *testing.T) {
	in := []Action{{ID: "h/apt/a", Type: ActionUpgrade, Package: "a", From: "1", To: "2", Classification: "security",
		Severity: "high", CVEs: []string{"CVE-1"}, KB: "KB1", RebootRequired: true, Reason: "approve[0]"}}
	want := []ProviderAction{{ID: "h/apt/a", Type: ActionUpgrade, Package: "a", From: "1", To: "2"}}
	if d := cmp.Diff(want, ProviderActions(in)); d != "" {
		t.Errorf("ProviderActions (-want +got):\n%s", d)
	}
}
