package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompleteResults(t *testing.T) {
	actions := []ProviderAction{{ID: "a"}, {ID: "b"}}
	got := CompleteResults(actions, []ActionResult{{ActionID: "b", Status: StatusSucceeded}, {ActionID: "zzz", Status: StatusSucceeded}}, NoResult())
	if len(got) != 2 || got[0].ActionID != "a" || got[0].Status != StatusFailed || got[1].Status != StatusSucceeded {
		t.Errorf("CompleteResults = %+v", got)
	}
	want := []ActionResult{
		{ActionID: "a", Status: StatusFailed, Message: "the provider reported no result for this action"},
		{ActionID: "b", Status: StatusSucceeded},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("CompleteResults (-want +got):\n%s", d)
	}
}

func TestCompleteResultsMissing(t *testing.T) {
	actions := []ProviderAction{{ID: "a"}, {ID: "b"}}
	results := []ActionResult{{ActionID: "b", Status: StatusFailed}, {ActionID: "b", Status: StatusSucceeded, Message: "second"}}
	got := CompleteResults(actions, results, ActionResult{ActionID: "ignored", Status: StatusInterrupted, Message: "cancelled"})
	want := []ActionResult{
		{ActionID: "a", Status: StatusInterrupted, Message: "cancelled"},
		{ActionID: "b", Status: StatusSucceeded, Message: "second"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("CompleteResults (-want +got):\n%s", d)
	}
	if got := CompleteResults(nil, results, NoResult()); len(got) != 0 {
		t.Errorf("CompleteResults without actions = %+v", got)
	}
}

func TestProviderActions(t *testing.T) {
	in := []Action{{ID: "h/apt/a", Type: ActionUpgrade, Package: "a", From: "1", To: "2", Classification: "security",
		Severity: "high", CVEs: []string{"CVE-1"}, KB: "KB1", RebootRequired: true, Reason: "approve[0]"}}
	want := []ProviderAction{{ID: "h/apt/a", Type: ActionUpgrade, Package: "a", From: "1", To: "2"}}
	if d := cmp.Diff(want, ProviderActions(in)); d != "" {
		t.Errorf("ProviderActions (-want +got):\n%s", d)
	}
}
