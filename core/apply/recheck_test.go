package apply

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

// TestRecheck: actions of an offline plan whose package is already at its
// target, or moved elsewhere, are skipped before the apply; the rest run
// (issue 18, item 4).
func TestRecheck(t *testing.T) {
	act := func(pkg, typ, from, to string) model.Action {
		return model.Action{ID: "web/apt/" + pkg, Type: typ, Package: pkg, From: from, To: to}
	}
	plan := &model.Plan{Hosts: []model.HostPlan{
		{Host: "web", Provider: "apt", Policy: "p", Actions: []model.Action{
			act("curl", model.ActionUpgrade, "1", "2"),
			act("libc6", model.ActionUpgrade, "1", "2"),
			act("nginx", model.ActionUpgrade, "1", "2"),
			act("jq", model.ActionInstall, "", "1.7"),
			act("telnet", model.ActionRemove, "0.17", ""),
		}},
		{Host: "db", Provider: "apt", Policy: "p", Actions: []model.Action{
			{ID: "db/apt/curl", Type: model.ActionUpgrade, Package: "curl", From: "1", To: "2"},
			{ID: "db/apt/reboot", Type: model.ActionReboot},
		}},
		{Host: "gone", Provider: "apt", Actions: []model.Action{{ID: "gone/apt/curl", Type: model.ActionUpgrade, Package: "curl", From: "1", To: "2"}}},
	}}
	inst := func(pairs ...string) *model.Snapshot {
		inv := &model.ProviderInventory{}
		for i := 0; i < len(pairs); i += 2 {
			inv.Installed = append(inv.Installed, model.Installed{Name: pairs[i], Version: pairs[i+1]})
		}
		return &model.Snapshot{Providers: map[string]*model.ProviderInventory{"apt": inv}}
	}
	live := map[string]*model.Snapshot{
		"web": inst("curl", "1", "libc6", "2", "nginx", "1.5", "jq", "1.6"),
		"db":  inst("curl", "2"),
	}
	got, skipped := Recheck(plan, live)

	var ids [][]string
	for _, h := range got.Hosts {
		var hs []string
		for _, a := range h.Actions {
			hs = append(hs, a.ID)
		}
		ids = append(ids, hs)
	}
	wantIDs := [][]string{{"web/apt/curl"}, nil, {"gone/apt/curl"}}
	if d := cmp.Diff(wantIDs, ids); d != "" {
		t.Errorf("actions left (-want +got):\n%s", d)
	}
	want := []HostResult{
		{Host: "web", Provider: "apt", Policy: "p", Results: []model.ActionResult{
			{ActionID: "web/apt/libc6", Status: model.StatusSkipped, Message: "libc6 is already at 2 (the host changed since the plan's inventory was scanned)"},
			{ActionID: "web/apt/nginx", Status: model.StatusSkipped, Message: "nginx moved since the plan's inventory was scanned: the plan expected 1, the host has 1.5; make a new plan"},
			{ActionID: "web/apt/jq", Status: model.StatusSkipped, Message: "jq moved since the plan's inventory was scanned: the plan expected none, the host has 1.6; make a new plan"},
			{ActionID: "web/apt/telnet", Status: model.StatusSkipped, Message: "telnet is already removed (the host changed since the plan's inventory was scanned)"},
		}},
		{Host: "db", Provider: "apt", Policy: "p", Results: []model.ActionResult{
			{ActionID: "db/apt/curl", Status: model.StatusSkipped, Message: "curl is already at 2 (the host changed since the plan's inventory was scanned)"},
			{ActionID: "db/apt/reboot", Status: model.StatusSkipped, Message: "no package of the plan changes on this host now, and it does not need a reboot"},
		}},
	}
	if d := cmp.Diff(want, skipped); d != "" {
		t.Errorf("skipped (-want +got):\n%s", d)
	}
	if len(plan.Hosts[0].Actions) != 5 {
		t.Error("Recheck modified the plan")
	}
	if got.Summary.HostsWithChanges != 2 {
		t.Errorf("summary: %d hosts with changes, want 2", got.Summary.HostsWithChanges)
	}

	rep := &Report{Hosts: []HostResult{{Host: "web", Provider: "apt", Results: []model.ActionResult{{ActionID: "web/apt/curl", Status: model.StatusSucceeded}}}}}
	Merge(rep, skipped, time.Unix(0, 0))
	if len(rep.Hosts) != 2 || rep.Hosts[0].Host != "db" || rep.Hosts[0].FinishedAt.IsZero() || len(rep.Hosts[1].Results) != 5 {
		t.Errorf("merged report: %+v", rep.Hosts)
	}
}
