package lastapply

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/model"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// TestSet: a run's first result for a host replaces its earlier last
// apply, later ones (another provider) join it; a failed health check is a
// result of its own and marks the successes.
func TestSet(t *testing.T) {
	prev := map[string]*model.LastApply{
		"a": {StartedAt: t0, FinishedAt: t0, Results: []model.ActionResult{{ActionID: "a/apt/old", Status: model.StatusFailed}}},
		"b": {StartedAt: t0, FinishedAt: t0, Results: []model.ActionResult{{ActionID: "b/apt/kept", Status: model.StatusSucceeded}}},
	}
	s := New(prev)
	s.NewRun()
	s.Add(&apply.HostResult{Host: "a", Provider: "apt", StartedAt: t0.Add(2 * time.Hour), FinishedAt: t0.Add(3 * time.Hour),
		Results: []model.ActionResult{{ActionID: "a/apt/openssl", Status: model.StatusSucceeded}}, Health: errors.New("nginx is down")})
	s.Add(&apply.HostResult{Host: "a", Provider: "fwupd", StartedAt: t0.Add(time.Hour), FinishedAt: t0.Add(2 * time.Hour),
		Results: []model.ActionResult{{ActionID: "a/fwupd/webcam", Status: model.StatusSucceeded}}})
	want := map[string]*model.LastApply{
		"a": {StartedAt: t0.Add(time.Hour), FinishedAt: t0.Add(3 * time.Hour), Results: []model.ActionResult{
			{ActionID: "a/apt/health_check", Status: model.StatusFailed, Message: "nginx is down"},
			{ActionID: "a/apt/openssl", Status: model.StatusSucceeded, Message: "(host unhealthy afterwards)"},
			{ActionID: "a/fwupd/webcam", Status: model.StatusSucceeded},
		}},
		"b": prev["b"],
	}
	if d := cmp.Diff(want, s.Hosts); d != "" {
		t.Fatalf("last applies (-want +got):\n%s", d)
	}
	if len(prev["a"].Results) != 1 || prev["a"].Results[0].ActionID != "a/apt/old" {
		t.Fatalf("New modified prev: %+v", prev["a"])
	}
}
