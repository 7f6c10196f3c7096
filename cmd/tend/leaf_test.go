package main

import (
	"context"
	"net"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/agentwire/natstest"
	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/fleetauth"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
)

// TestLeafNodeAgent is the site topology of docs/agents.md: a hub server
// with JetStream (domain "hub") and the accounts of fleetauth.Hub, the
// controller in its TEND account; a leaf node without JetStream, bound to
// the hub's acme account, where a real tend agent connects with its nkey.
// The agent reads its desired state with domain-prefixed direct gets
// (published before it connected, so no push carries it), its scan and its
// job's result travel through the leaf to the controller's streams, and
// the host is patched.
func TestLeafNodeAgent(t *testing.T) {
	bin, conf, root := acmeAgentLab(t)
	cfg, diags := config.Load(conf)
	if diags.HasErrors() {
		t.Fatal(diags)
	}

	keys := t.TempDir()
	ctlSeed := filepath.Join(keys, "controller.nk")
	ctlPub, _, err := fleetauth.UserSeed(ctlSeed)
	if err != nil {
		t.Fatal(err)
	}
	agentState := t.TempDir()
	out, err := exec.Command(bin, "agent", "enroll", "--state-dir", agentState).Output()
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	leafKP, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	leafPub, _ := leafKP.PublicKey()
	leafSeed, _ := leafKP.Seed()
	tenants, err := fleetauth.Tenants(cfg, map[string]string{"lab": strings.TrimSpace(string(out))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hub := fleetauth.Hub{Controller: ctlPub, Tenants: tenants, Domain: "hub", Leaves: map[string]string{"acme": leafPub}, AgentsOnLeaves: true}

	leafListen := freeListen(t)
	hubSrv := natstest.Start(t, func(o *server.Options) {
		if err := hub.Configure(o); err != nil {
			t.Fatal(err)
		}
		o.JetStreamDomain = "hub"
		o.LeafNode.Host, o.LeafNode.Port = splitListen(t, leafListen)
	})
	leafCfg, err := hub.LeafConfig()
	if err != nil {
		t.Fatal(err)
	}
	leafSrv := natstest.Start(t, func(o *server.Options) {
		o.JetStream = false
		if err := o.ProcessConfigString(leafCfg); err != nil {
			t.Fatal(err)
		}
		o.LeafNode.ReconnectInterval = 100 * time.Millisecond
		o.LeafNode.Remotes = []*server.RemoteLeafOpts{{
			URLs: []*url.URL{{Scheme: "nats-leaf", Host: leafListen}}, LocalAccount: "acme", Nkey: string(leafSeed),
		}}
	})
	eventually(t, "the leaf node connected to the hub", func() bool { return hubSrv.NumLeafNodes() == 1 }, func() string { return "" })

	// Agents reach the leaf only: the hub refuses their key.
	if _, err := nats.Connect(hubSrv.URL(), nats.Timeout(time.Minute), mustNkey(t, filepath.Join(agentState, "agent.nk"))); err == nil {
		t.Fatal("the agent's key was accepted by the hub")
	}

	log := logrus.New()
	log.SetLevel(logrus.WarnLevel)
	ctx := context.Background()
	ctl, err := fleet.Connect(ctx, fleet.Options{URL: hubSrv.URL(), NkeyFile: ctlSeed, InventoryDir: t.TempDir(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer ctl.Close()
	if _, err := ctl.PublishDesired(ctx, cfg, "c1"); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, bin, leafSrv.URL(), fleet.Ungrouped, agentState, "--js-domain", "hub")

	var snaps map[string]*model.Snapshot
	eventually(t, "the agent's scan, through the leaf node, ingested", func() bool {
		snaps, _ = inventory.ReadDir(ctl.InventoryDir())
		return snaps["lab"] != nil
	}, a.logs)
	if !strings.Contains(a.out.String(), "revision=1") {
		t.Errorf("the agent log names no desired revision 1:\n%s", a.logs())
	}
	plan, _ := planner.Plan(planner.Input{Config: cfg, Inventory: snaps, Now: time.Now(), ConfigCommit: "c1", InventorySource: "agents"})
	if len(plan.Hosts) != 1 || len(plan.Hosts[0].Actions) != 1 {
		t.Fatalf("plan: %+v", plan.Hosts)
	}
	rep := apply.Apply(ctx, cfg, nil, plan, apply.Options{Agents: ctl})
	if len(rep.Hosts) != 1 || rep.Failed() != 0 || rep.Hosts[0].Results[0].Status != model.StatusSucceeded {
		t.Fatalf("apply: %+v\n%s", rep.Hosts, a.logs())
	}
	if got := root.Installed(t)["openssl"]; got != "3.0.20-2" {
		t.Fatalf("openssl %s after the apply through the leaf node", got)
	}
}

func splitListen(t *testing.T, hostPort string) (string, int) {
	t.Helper()
	host, portText, err := net.SplitHostPort(hostPort)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}

func mustNkey(t *testing.T, seedFile string) nats.Option {
	t.Helper()
	opt, err := nats.NkeyOptionFromSeed(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	return opt
}
