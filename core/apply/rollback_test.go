package apply

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/internal/testfile"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// The packages of the rollback scenarios: app 2.0 ships a /usr/bin/app
// that fails, which the health check runs; lib's upgrade is harmless.
var (
	appGood = apttest.Pkg{Name: "app", Version: "1.0-1", Script: "exit 0"}
	appBad  = apttest.Pkg{Name: "app", Version: "2.0-1", Script: "echo app 2.0 is broken >&2; exit 1"}
	libOld  = apttest.Pkg{Name: "lib", Version: "1.0-1"}
	libNew  = apttest.Pkg{Name: "lib", Version: "1.1-1"}
)

// rollbackLab makes a hermetic apt root where app and lib are installed
// at their old versions and the security suite offers the new ones, and
// a configuration whose policy approves everything, checks /usr/bin/app
// in the root and, with rollback, rolls back. stable lists what the
// stable suite offers (the old versions, or not).
func rollbackLab(t *testing.T, rollback bool, stable ...apttest.Pkg) (*apttest.Root, *config.Config) {
	t.Helper()
	if err := apttest.Available(); err != nil {
		t.Skip(err)
	}
	loadertest.Install(t, "apt", "github.com/tend-sh/tend/providers/apt/cmd/tend-provider-apt")
	root, err := apttest.Create(t.TempDir(), apttest.Options{
		Installed: []apttest.Pkg{appGood, libOld},
		Stable:    stable,
		Security:  []apttest.Pkg{appBad, libNew},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), fmt.Sprintf(`provider "apt" {
  root = %q
}
host "lab" {
  transport = "local"
}
policy "p" {
  provider = "apt"
  targets  = [host.lab]
  reboot   = "never"
  rollback = %t
  approve {}
  health_check "command" {
    argv = [%q]
  }
}
`, root.Dir, rollback, filepath.Join(root.Dir, "usr/bin/app")))
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return root, cfg
}

// applyLab plans live and applies; the host must have both upgrades
// planned and must fail (its health check does).
func applyLab(t *testing.T, cfg *config.Config) HostResult {
	t.Helper()
	ctx := context.Background()
	ps := lockAndOpen(t, cfg)
	res, err := engine.Plan(ctx, engine.PlanOptions{ConfigDir: cfg.Dir, Inventory: "live", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	pl := res.Saved.Plan
	if len(pl.Hosts) != 1 || len(pl.Hosts[0].Actions) != 2 {
		t.Fatalf("plan: %+v", pl.Hosts)
	}
	rep := Apply(ctx, cfg, ps, pl, Options{})
	if len(rep.Hosts) != 1 || rep.Failed() != 1 {
		t.Fatalf("apply: %d of %d hosts failed, want the one: %+v", rep.Failed(), len(rep.Hosts), rep.Hosts)
	}
	h := rep.Hosts[0]
	if h.Health == nil || !strings.Contains(h.Health.Error(), "app 2.0 is broken") {
		t.Fatalf("health = %v, want app's failure", h.Health)
	}
	return h
}

func statuses(rs []model.ActionResult) map[string]model.Status {
	m := map[string]model.Status{}
	for _, r := range rs {
		m[r.ActionID] = r.Status
	}
	return m
}

// TestRollbackFromSources: the broken update is rolled back, with the
// harmless one, to the versions the stable suite still offers; dpkg has
// the old versions, the results are rolled_back, the host is healthy
// again and still counts as failed.
func TestRollbackFromSources(t *testing.T) {
	root, cfg := rollbackLab(t, true, appGood, libOld)
	h := applyLab(t, cfg)
	if got := root.Installed(t); got["app"] != "1.0-1" || got["lib"] != "1.0-1" {
		t.Errorf("installed after the rollback: %v, want app and lib at 1.0-1", got)
	}
	rb := h.Rollback
	if rb == nil || rb.Err != nil || rb.Health != nil || rb.RolledBack() != 2 {
		t.Fatalf("rollback = %+v", rb)
	}
	for _, p := range rb.Packages {
		if !p.RolledBack || p.Restored != "1.0-1" || (p.Package == "app" && p.Applied != "2.0-1") {
			t.Errorf("package %+v", p)
		}
	}
	want := map[string]model.Status{"lab/apt/app": model.StatusRolledBack, "lab/apt/lib": model.StatusRolledBack}
	if got := statuses(h.Results); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("results = %v, want %v", h.Results, want)
	}
	if msg := h.Results[0].Message; !strings.Contains(msg, "app 2.0-1 was installed, then rolled back to 1.0-1") {
		t.Errorf("message = %q", msg)
	}
	if !strings.Contains(rb.Summary(), "rolled back 2 of 2") || !strings.Contains(rb.Summary(), "healthy again") {
		t.Errorf("summary = %q", rb.Summary())
	}
}

// TestRollbackFromCache: the sources no longer offer app 1.0, but apt's
// package cache holds its .deb: the rollback installs it from there.
func TestRollbackFromCache(t *testing.T) {
	root, cfg := rollbackLab(t, true, libOld)
	root.CacheDeb(t, appGood)
	h := applyLab(t, cfg)
	if got := root.Installed(t); got["app"] != "1.0-1" || got["lib"] != "1.0-1" {
		t.Errorf("installed after the rollback: %v, want app and lib at 1.0-1", got)
	}
	if h.Rollback == nil || h.Rollback.RolledBack() != 2 || h.Rollback.Health != nil {
		t.Fatalf("rollback = %+v", h.Rollback)
	}
}

// TestRollbackUnavailable: app 1.0 can be had from nowhere, so nothing
// is rolled back (not even lib, whose old version could be): the host
// stays at the new versions, and each package says so and why.
func TestRollbackUnavailable(t *testing.T) {
	root, cfg := rollbackLab(t, true, libOld)
	h := applyLab(t, cfg)
	if got := root.Installed(t); got["app"] != "2.0-1" || got["lib"] != "1.1-1" {
		t.Errorf("installed: %v, want app 2.0-1 and lib 1.1-1 as the apply left them", got)
	}
	rb := h.Rollback
	if rb == nil || rb.RolledBack() != 0 || rb.Health != nil {
		t.Fatalf("rollback = %+v", rb)
	}
	want := map[string]model.Status{"lab/apt/app": model.StatusSucceeded, "lab/apt/lib": model.StatusSucceeded}
	if got := statuses(h.Results); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("results = %v, want %v", h.Results, want)
	}
	for _, r := range h.Results {
		switch r.ActionID {
		case "lab/apt/app":
			if !strings.Contains(r.Message, "stays at 2.0-1") || !strings.Contains(r.Message, "app 1.0-1 cannot be had") {
				t.Errorf("app: %q", r.Message)
			}
		case "lab/apt/lib":
			if !strings.Contains(r.Message, "stays at 1.1-1") || !strings.Contains(r.Message, "all or nothing and app 1.0-1 cannot be had") {
				t.Errorf("lib: %q", r.Message)
			}
		}
	}
	if s := rb.Summary(); !strings.Contains(s, "not rolled back") {
		t.Errorf("summary = %q", s)
	}
}

// TestNoRollbackByDefault: without rollback = true a failed health check
// leaves the changes in place, as it always has.
func TestNoRollbackByDefault(t *testing.T) {
	root, cfg := rollbackLab(t, false, appGood, libOld)
	h := applyLab(t, cfg)
	if h.Rollback != nil {
		t.Errorf("rollback = %+v, want none", h.Rollback)
	}
	if got := root.Installed(t); got["app"] != "2.0-1" || got["lib"] != "1.1-1" {
		t.Errorf("installed: %v, want the new versions", got)
	}
	want := map[string]model.Status{"lab/apt/app": model.StatusSucceeded, "lab/apt/lib": model.StatusSucceeded}
	if got := statuses(h.Results); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("results = %v, want %v", h.Results, want)
	}
}

// TestUndoActions: what undoes each kind of change, the holds around
// them, and the changes a provider cannot undo.
func TestUndoActions(t *testing.T) {
	h := model.HostPlan{Host: "web_1", Provider: "apt", Actions: []model.Action{
		{ID: "u", Type: model.ActionUnhold, Package: "nginx"},
		{ID: "n", Type: model.ActionUpgrade, Package: "nginx", From: "1.22-1", To: "1.22-2"},
		{ID: "d", Type: model.ActionDowngrade, Package: "curl", From: "7.88-2", To: "7.88-1"},
		{ID: "h", Type: model.ActionHold, Package: "curl"},
		{ID: "f", Type: model.ActionUpgrade, Package: "failed", From: "1", To: "2"},
		{ID: "i", Type: model.ActionInstall, Package: "htop", To: "3.2"},
	}}
	ok := func(ids ...string) []model.ActionResult {
		var rs []model.ActionResult
		for _, id := range ids {
			rs = append(rs, model.ActionResult{ActionID: id, Status: model.StatusSucceeded})
		}
		return append(rs, model.ActionResult{ActionID: "f", Status: model.StatusFailed})
	}
	results := ok("u", "n", "d", "h", "i")
	changes := changed(h.Actions, results)
	if len(changes) != 3 || changes[0].ID != "n" || changes[1].ID != "d" || changes[2].ID != "i" {
		t.Fatalf("changed = %+v", changes)
	}
	all := []string{model.ActionInstall, model.ActionUpgrade, model.ActionDowngrade, model.ActionRemove, model.ActionHold, model.ActionUnhold}
	undo, blocked := undoActions(h, changes, results, all)
	var got []string
	for _, u := range undo {
		got = append(got, fmt.Sprintf("%s %s %s %s->%s", u.ID, u.Type, u.Package, u.From, u.To))
	}
	want := []string{
		"d/rollback-unhold unhold curl ->",
		"n/rollback downgrade nginx 1.22-2->1.22-1",
		"d/rollback upgrade curl 7.88-1->7.88-2",
		"i/rollback remove htop 3.2->",
		"n/rollback-hold hold nginx ->",
		"d/rollback-hold hold curl ->",
	}
	if blocked != "" || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("undo = %q (blocked %q), want %q", got, blocked, want)
	}

	// apt's actions: no remove, so nothing is asked.
	aptActions := []string{model.ActionInstall, model.ActionUpgrade, model.ActionDowngrade, model.ActionHold, model.ActionUnhold, model.ActionReboot}
	undo, blocked = undoActions(h, changes, results, aptActions)
	if undo != nil || blocked != `htop 3.2 cannot be undone: provider "apt" does not support remove actions` {
		t.Errorf("undo = %v, blocked = %q", undo, blocked)
	}
}

// TestMarkResults: undone changes become rolled_back naming both versions;
// the others keep their status and say where they stay and why.
func TestMarkResults(t *testing.T) {
	r := &HostResult{Results: []model.ActionResult{
		{ActionID: "a", Status: model.StatusSucceeded, Message: "a 2 installed"},
		{ActionID: "b", Status: model.StatusSucceeded},
		{ActionID: "c", Status: model.StatusSucceeded},
	}}
	rb := &Rollback{Packages: []RolledPackage{
		{ActionID: "a", Package: "a", Applied: "2", Restored: "1", RolledBack: true},
		{ActionID: "b", Package: "b", Applied: "5", Message: "not rolled back (failed): b is installed 5, not 4 installed"},
		{ActionID: "c", Package: "c", Applied: "1", RolledBack: true},
	}}
	markResults(r, rb)
	want := []model.ActionResult{
		{ActionID: "a", Status: model.StatusRolledBack, Message: "a 2 was installed, then rolled back to 1 after the health check failed"},
		{ActionID: "b", Status: model.StatusSucceeded, Message: "stays at 5: not rolled back (failed): b is installed 5, not 4 installed"},
		{ActionID: "c", Status: model.StatusRolledBack, Message: "c 1 was installed, then removed again after the health check failed"},
	}
	if fmt.Sprint(r.Results) != fmt.Sprint(want) {
		t.Errorf("results = %+v\nwant %+v", r.Results, want)
	}
	if s := rb.Summary(); !strings.HasPrefix(s, "partly rolled back: 2 of 3") || !strings.HasSuffix(s, "healthy again afterwards") {
		t.Errorf("summary = %q", s)
	}
}
