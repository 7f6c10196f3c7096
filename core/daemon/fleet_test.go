package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
)

// TestAgentHostThroughController: a configuration with a local host and an
// agent host. The daemon publishes the desired state, plans the agent host
// from the scan its agent sent (ingested by the controller) and applies it
// through the controller's work queue; the test answers the job on
// tend.cmd.laptop as the agent would, with raw NATS messages.
func TestAgentHostThroughController(t *testing.T) {
	l := newLab(t, securityLab)
	// A scan-only pass gives a real apt snapshot with the security update.
	scanOnly := l.daemon(func(o *Options) { o.ScanOnly = true })
	l.reconcile(scanOnly)
	scanOnly.Close()
	var snap model.Snapshot
	l.reportsJSON("hosts/lab/inventory.json", &snap)
	snap.Host = "laptop"
	snapData, err := inventory.Encode(&snap)
	if err != nil {
		t.Fatal(err)
	}

	conf := strings.Replace(policyConf(l.root.Dir, securityOnly), "targets  = [host.lab]", "targets  = [host.lab, host.laptop]", 1)
	conf += "host \"laptop\" {\n  transport = \"agent\"\n}\n"
	l.write("patching/lab.tend.hcl", conf)
	commit := l.commit("an agent host")

	ctl, nc := l.controller(fleet.Options{})
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	scan, _ := json.Marshal(agentwire.Scan{Version: agentwire.Version, Host: "laptop", ScannedAt: snap.ScannedAt, Snapshot: snapData})
	if _, err := js.Publish(ctx, agentwire.ScansSubject("laptop"), scan, jetstream.WithMsgID("scan-laptop-1")); err != nil {
		t.Fatal(err)
	}
	jobs := make(chan agentwire.Job, 10)
	sub, err := nc.Subscribe(agentwire.PrefixCommand+"*", func(m *nats.Msg) {
		var job agentwire.Job
		if err := json.Unmarshal(m.Data, &job); err != nil {
			t.Error(err)
			return
		}
		jobs <- job
		var plan model.Plan
		_ = json.Unmarshal(job.Plan, &plan)
		ha := model.HostApply{Host: job.Host}
		for _, a := range plan.Hosts[0].Actions {
			ha.Results = append(ha.Results, model.AppliedAction{ActionID: a.ID, Provider: "apt", Package: a.Package, Status: model.StatusSucceeded, Message: "applied by the agent"})
		}
		hr, _ := json.Marshal([]model.HostApply{ha})
		res, _ := json.Marshal(agentwire.Result{Version: agentwire.Version, JobID: job.ID, Host: job.Host, Outcome: agentwire.OutcomeApplied,
			StartedAt: time.Now().UTC(), FinishedAt: time.Now().UTC(), HostResults: hr})
		if _, err := js.Publish(context.Background(), agentwire.ResultsSubject(job.Host), res, jetstream.WithMsgID("result-"+job.ID)); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	// Wait for the ingest before the reconcile plans from it.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if snaps, _ := inventory.ReadDir(ctl.InventoryDir()); snaps["laptop"] != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the laptop's scan was not ingested")
		}
	}

	out := l.reconcile(l.daemon(func(o *Options) { o.Fleet = ctl }))
	if out.Apply == nil || out.Apply.Failed() != 0 || out.Applied != commit {
		t.Fatalf("outcome: %+v\nlogs:\n%s", out, l.logs)
	}
	got := map[string]string{}
	for _, h := range out.Apply.Hosts {
		got[h.Host] = fmt.Sprint(h.Results)
	}
	if !strings.Contains(got["laptop"], "applied by the agent") || !strings.Contains(got["lab"], "succeeded") {
		t.Errorf("results: %v", got)
	}
	select {
	case job := <-jobs:
		if job.Host != "laptop" || job.ConfigCommit != commit || job.Revision != 1 || job.Policy != "security_only" {
			t.Errorf("job: %+v", job)
		}
	default:
		t.Error("no job reached tend.cmd.laptop")
	}
	d, _, err := ctl.Desired(ctx, fleet.Ungrouped)
	if err != nil || d == nil || d.ConfigCommit != commit || len(d.Files["lab.tend.hcl"]) == 0 || len(d.Files[".tend.lock.hcl"]) == 0 {
		t.Errorf("desired state: %+v, %v", d, err)
	}
	if got := l.root.Installed(t); got["openssl"] != "3.0.20-2" {
		t.Errorf("lab installed: %v", got)
	}
	l.reports("hosts/laptop/report.json")
}
