package plandiff

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

func TestDiff(t *testing.T) {
	sat := time.Date(2026, 11, 28, 21, 0, 0, 0, time.UTC)
	sun := sat.Add(24 * time.Hour)
	base := &model.Plan{Hosts: []model.HostPlan{
		{Host: "web_1", Provider: "apt",
			Actions: []model.Action{
				{Type: "upgrade", Package: "openssl", From: "1", To: "2", Reason: "approve[0]"},
				{Type: "upgrade", Package: "curl", From: "1", To: "2"},
				{Type: "upgrade", Package: "zlib", From: "1", To: "2"},
			},
			Deferred: []model.Deferred{{Package: "tzdata", To: "2", Until: &sat, Reason: "window"}},
			Skipped:  []model.Skipped{{Package: "linux-image-amd64", To: "6", Reason: "not approved"}},
			Reboot:   model.RebootNone},
		{Host: "old", Provider: "apt", Actions: []model.Action{{Type: "upgrade", Package: "bash", From: "1", To: "2"}}},
	}}
	head := &model.Plan{Hosts: []model.HostPlan{
		{Host: "web_1", Provider: "apt",
			Actions: []model.Action{
				{Type: "upgrade", Package: "openssl", From: "1", To: "2", Reason: "approve[1]"}, // same, other wording
				{Type: "upgrade", Package: "zlib", From: "1", To: "3"},                          // other target
				{Type: "install", Package: "linux-image-6", To: "6"},
				{Type: "reboot", ID: "web_1/apt/reboot"},
			},
			Deferred: []model.Deferred{{Package: "tzdata", To: "2", Until: &sun, Reason: "window"}},
			Skipped: []model.Skipped{
				{Package: "curl", To: "2", Reason: "rejected"},
				{Package: "linux-image-amd64", To: "6", Reason: "rejected"}, // skipped either way
			},
			Reboot: model.RebootPlanned},
	}}
	d := Diff(base, head)
	type row struct{ host, pkg, base, head string }
	var got []row
	for _, c := range d.Changes {
		got = append(got, row{c.Host, c.Package, c.Base.Kind + " " + c.Base.Type + " " + c.Base.To, c.Head.Kind + " " + c.Head.Type + " " + c.Head.To})
	}
	want := []row{
		{"old", "bash", "action upgrade 2", "  "},
		{"web_1", "(reboot)", "  ", "reboot planned "},
		{"web_1", "curl", "action upgrade 2", "skipped  2"},
		{"web_1", "linux-image-6", "  ", "action install 6"},
		{"web_1", "tzdata", "deferred  2", "deferred  2"},
		{"web_1", "zlib", "action upgrade 2", "action upgrade 3"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(row{})); diff != "" {
		t.Fatalf("changes (-want +got):\n%s", diff)
	}
	if d.Hosts != 2 || d.ActionsAdded != 2 || d.ActionsRemoved != 3 || d.Empty() {
		t.Errorf("counts: hosts %d, added %d, removed %d", d.Hosts, d.ActionsAdded, d.ActionsRemoved)
	}
	if !Diff(head, head).Empty() || !Diff(nil, nil).Empty() {
		t.Error("a plan differs from itself")
	}
}

func TestDiffDependencies(t *testing.T) {
	app := model.Action{Type: "upgrade", Package: "app", From: "1.0", To: "2.0"}
	liba := model.Change{Package: "liba", Kind: model.ChangeUpgrade, From: "1.0", To: "2.0", RequiredBy: []string{"app"}}
	hostWith := func(status string) model.HostPlan {
		h := model.HostPlan{Host: "web_1", Provider: "apt", Actions: []model.Action{app},
			Skipped:     []model.Skipped{{Package: "liba", Reason: `installed version 1.0 matches reject "liba"`}},
			Transaction: &model.Transaction{Status: status, Extra: []model.Change{liba}}}
		if status == model.TransactionBlocked {
			h.Actions = nil
			h.Skipped = append(h.Skipped, model.Skipped{Package: "app", To: "2.0", Reason: "transaction blocked"})
		}
		return h
	}
	allowed := &model.Plan{Hosts: []model.HostPlan{hostWith(model.TransactionResolved)}}
	blocked := &model.Plan{Hosts: []model.HostPlan{hostWith(model.TransactionBlocked)}}
	d := Diff(allowed, blocked)
	type row struct {
		pkg        string
		dep        bool
		base, head string
	}
	var got []row
	for _, c := range d.Changes {
		got = append(got, row{c.Package, c.Dependency, c.Base.Kind + " " + c.Base.Type + " " + c.Base.To + " " + c.Base.Reason, c.Head.Kind})
	}
	want := []row{
		{"app", false, "action upgrade 2.0 ", "skipped"},
		{"liba", true, "dependency upgrade 2.0 required by app", ""},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(row{})); diff != "" {
		t.Fatalf("changes (-want +got):\n%s", diff)
	}
	if !Diff(allowed, allowed).Empty() {
		t.Error("a plan with dependencies differs from itself")
	}
}
