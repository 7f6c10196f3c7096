package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/agentwire/natstest"
	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
)

// TestControllerPatchesRealAgent: the controller (core/fleet) and a real
// tend agent process on a hermetic apt root: the agent follows the desired
// state the controller published, its scan is ingested, the plan made
// from it is dispatched through the work queue and the agent patches the
// host.
func TestControllerPatchesRealAgent(t *testing.T) {
	bin, conf, root := agentLab(t, opensslLab, securityOnly)
	hcl := filepath.Join(conf, "lab.tend.hcl")
	data, err := os.ReadFile(hcl)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hcl, []byte(strings.Replace(string(data), `transport = "local"`, `transport = "agent"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(conf)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	srv := natstest.Start(t, nil)
	log := logrus.New()
	log.SetLevel(logrus.WarnLevel)
	ctx := context.Background()
	ctl, err := fleet.Connect(ctx, fleet.Options{URL: srv.URL(), InventoryDir: t.TempDir(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	if _, err := ctl.PublishDesired(ctx, cfg, "c1"); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, bin, srv.URL(), fleet.Ungrouped, t.TempDir())

	var snaps map[string]*model.Snapshot
	eventually(t, "the agent's scan, ingested", func() bool {
		snaps, _ = inventory.ReadDir(ctl.InventoryDir())
		return snaps["lab"] != nil
	}, a.logs)
	plan, _ := planner.Plan(planner.Input{Config: cfg, Inventory: snaps, Now: time.Now(), ConfigCommit: "c1", InventorySource: "agents"})
	if len(plan.Hosts) != 1 || len(plan.Hosts[0].Actions) != 1 || plan.Hosts[0].Actions[0].Package != "openssl" {
		t.Fatalf("plan: %+v", plan.Hosts)
	}
	rep := apply.Apply(ctx, cfg, nil, plan, apply.Options{Agents: ctl})
	if len(rep.Hosts) != 1 || rep.Failed() != 0 || rep.Hosts[0].Results[0].Status != model.StatusSucceeded {
		t.Fatalf("apply: %+v\nagent logs:\n%s", rep.Hosts, a.logs())
	}
	if got := root.Installed(t); got["openssl"] != "3.0.20-2" || got["tzdata"] != "2025a-1" {
		t.Fatalf("installed: %v", got)
	}
	if got := ctl.Unmanaged(); len(got) != 0 {
		t.Errorf("unmanaged: %v", got)
	}
	// The agent's hello says what machine it runs on.
	if h, ok := ctl.Hello("lab"); !ok || h.Facts["arch"] == "" || h.Facts["hostname"] == "" || h.Facts["kernel"] == "" {
		t.Errorf("hello: %+v", h)
	}
}
