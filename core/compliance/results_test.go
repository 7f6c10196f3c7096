package compliance

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

func TestNewApplies(t *testing.T) {
	start := time.Date(2026, 11, 28, 22, 0, 0, 0, time.UTC)
	ok := model.ActionResult{ActionID: "web_1/apt/openssl", Status: model.StatusSucceeded}
	bad := model.ActionResult{ActionID: "web_1/apt/curl", Status: model.StatusFailed, Message: "dpkg: error"}
	la := func(rs ...model.ActionResult) *model.LastApply {
		return &model.LastApply{StartedAt: start, FinishedAt: start.Add(time.Minute), Results: rs}
	}
	plan := &model.Plan{Hosts: []model.HostPlan{{Host: "web_1", Provider: "apt", Policy: "security",
		Actions: []model.Action{{ID: "web_1/apt/openssl", Type: model.ActionUpgrade, Package: "openssl", From: "1", To: "2"}}}}}
	prevItem := model.Item{Provider: "apt", Package: "curl", Installed: "7.1", Required: "7.2", State: model.ItemMissing}
	openssl := model.AppliedAction{ActionID: ok.ActionID, Provider: "apt", Package: "openssl", Type: model.ActionUpgrade,
		From: "1", To: "2", Policy: "security", Status: model.StatusSucceeded}
	curl := model.AppliedAction{ActionID: bad.ActionID, Provider: "apt", Package: "curl", From: "7.1", To: "7.2",
		Policy: "security", Status: model.StatusFailed, Message: "dpkg: error"}
	tests := []struct {
		name     string
		last     *model.LastApply
		previous *model.Report
		want     []model.AppliedAction
	}{
		{"no apply", nil, nil, nil},
		{"new apply, described from the plan or the previous item", la(bad, ok), &model.Report{Items: []model.Item{prevItem}},
			[]model.AppliedAction{curl, openssl}},
		{"already recorded", la(ok), &model.Report{LastApply: la(ok)}, nil},
		{"merged run adds a result", la(bad, ok), &model.Report{LastApply: la(ok), Items: []model.Item{prevItem}},
			[]model.AppliedAction{curl}},
		{"an earlier apply recorded", la(ok), &model.Report{LastApply: &model.LastApply{StartedAt: start.Add(-time.Hour), Results: []model.ActionResult{ok}}},
			[]model.AppliedAction{openssl}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := model.Report{Host: "web_1", Client: "acme", LastApply: tt.last}
			got := NewApplies([]model.Report{r}, map[string]*model.Report{"web_1": tt.previous}, plan)
			var want []model.HostApply
			if tt.want != nil {
				want = []model.HostApply{{Host: "web_1", Client: "acme", StartedAt: start, FinishedAt: start.Add(time.Minute), Results: tt.want}}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("applies (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResultsJSON(t *testing.T) {
	b, err := ResultsJSON("abc", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	var r model.Results
	if err := json.Unmarshal(b, &r); err != nil || r.FormatVersion != "1" || r.ConfigCommit != "abc" || r.Applies == nil {
		t.Errorf("results.json = %s (%v)", b, err)
	}
}
