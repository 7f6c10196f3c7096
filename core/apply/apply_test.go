package apply

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/internal/testfile"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/savedplan"
	"github.com/tend-sh/tend/core/session"
	"github.com/tend-sh/tend/core/transport/ssh/sshtest"
	"github.com/tend-sh/tend/plugins/loader"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/plugins/lockfile"
	"github.com/tend-sh/tend/plugins/sdk"
)

// initAndPlan locks the configuration's providers and makes a live plan.
func initAndPlan(t *testing.T, cfg *config.Config) *engine.PlanResult {
	t.Helper()
	ctx := context.Background()
	if _, err := lockfile.Init(ctx, cfg, nil); err != nil {
		t.Fatal(err)
	}
	res, err := engine.Plan(ctx, engine.PlanOptions{ConfigDir: cfg.Dir, Inventory: "live", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// testFleet writes a configuration of local hosts, all in group x, under
// one policy for the test provider with the given rollout, and loads it.
func testFleet(t *testing.T, hosts []string, rollout string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("provider \"test\" {}\n")
	for _, h := range hosts {
		b.WriteString("host \"" + h + "\" {\n transport = \"local\"\n labels = { role = \"x\" }\n}\n")
	}
	b.WriteString("group \"x\" {\n match = { role = \"x\" }\n}\n")
	b.WriteString("policy \"p\" {\n provider = \"test\"\n targets = [group.x]\n approve {}\n" + rollout + "\n}\n")
	testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), b.String())
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return cfg
}

func TestInitScanApply(t *testing.T) {
	pluginDir := loadertest.InstallTestProvider(t)
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), loadertest.TestProviderConfig)
	ctx := context.Background()
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}

	// Before init, nothing starts.
	if _, err := engine.Plan(ctx, engine.PlanOptions{ConfigDir: dir, Inventory: "live", Now: time.Now()}); err == nil || !strings.Contains(err.Error(), "run tend init") {
		t.Fatalf("plan before init: err = %v", err)
	}
	results, err := lockfile.Init(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].Lock.Version != "1.2.3" || !results[0].Changed {
		t.Fatalf("init = %+v", results)
	}

	// A live plan scans web_1 (local) and reports web_2 (ssh) as unscanned.
	res, err := engine.Plan(ctx, engine.PlanOptions{ConfigDir: dir, Inventory: "live", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	pl := res.Saved.Plan
	if pl.Inventory.Source != "live" || pl.Summary.Actions["upgrade"] != 1 || len(pl.Hosts) != 2 || len(pl.Hosts[1].Errors) != 1 {
		t.Fatalf("plan = %+v", pl)
	}
	if _, err := os.Stat(filepath.Join(dir, inventory.DefaultDir, "web_1", "inventory.json")); err != nil {
		t.Errorf("live scan kept no snapshot: %v", err)
	}
	if err := savedplan.CheckStale(res.Saved, cfg); err != nil {
		t.Errorf("fresh plan is stale: %v", err)
	}

	ps, err := session.OpenProviders(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	var events []string
	rep := Apply(ctx, cfg, ps, pl, Options{Progress: func(e Event) { events = append(events, e.Host+": "+e.Message) }})
	if len(rep.Hosts) != 1 || rep.Failed() != 0 || rep.Hosts[0].Results[0].Status != sdk.StatusSucceeded {
		t.Fatalf("apply = %+v", rep.Hosts)
	}
	if len(events) == 0 || events[0] != "web_1: working on a" {
		t.Errorf("progress = %v", events)
	}

	// A new scan makes the saved plan stale; so does a config change.
	time.Sleep(1100 * time.Millisecond) // scanned_at has second precision
	if _, err := session.Scan(ctx, cfg, ps, session.ScanOptions{Hosts: []string{"web_1"}, OutDir: filepath.Join(dir, inventory.DefaultDir)}); err != nil {
		t.Fatal(err)
	}
	if err := savedplan.CheckStale(res.Saved, cfg); err == nil || !strings.Contains(err.Error(), "web_1 was scanned again") {
		t.Errorf("after a rescan: err = %v", err)
	}
	testfile.Write(t, filepath.Join(dir, "more.tend.hcl"), "group \"g\" {\n match = { a = \"b\" }\n}\n")
	cfg2, _ := config.Load(dir)
	if err := savedplan.CheckStale(res.Saved, cfg2); err == nil || !strings.Contains(err.Error(), "configuration changed") {
		t.Errorf("after a config change: err = %v", err)
	}

	// A replaced binary is refused, naming both hashes.
	bin := filepath.Join(pluginDir, loader.BinaryPrefix+"test")
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	// The running copy keeps its inode; a new file takes the name.
	if err := os.WriteFile(bin+".new", append(data, "replaced"...), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(bin+".new", bin); err != nil {
		t.Fatal(err)
	}
	ps2, _ := session.OpenProviders(cfg, nil)
	defer ps2.Close()
	_, err = ps2.Get(ctx, "test")
	if err == nil || !strings.Contains(err.Error(), "does not match the lock file") || strings.Count(err.Error(), "sha256:") != 2 {
		t.Errorf("replaced binary: err = %v", err)
	}
}

func TestApplyHaltsAtMaxFailures(t *testing.T) {
	loadertest.InstallTestProvider(t)
	cfg := testFleet(t, []string{"a1", "a2", "a3", "a4"}, "rollout {\n ring \"all\" {\n percent = 100\n }\n max_parallel = 1\n max_failures = 1\n }")
	ctx := context.Background()
	res := initAndPlan(t, cfg)
	// Make every host's action fail in the provider ("forget" gets no result).
	for i := range res.Saved.Plan.Hosts {
		res.Saved.Plan.Hosts[i].Actions[0].Package = "forget"
		res.Saved.Plan.Hosts[i].Transaction = nil // resolved for a
	}
	ps, _ := session.OpenProviders(cfg, nil)
	defer ps.Close()
	rep := Apply(ctx, cfg, ps, res.Saved.Plan, Options{})
	var statuses []string
	for _, h := range rep.Hosts {
		statuses = append(statuses, string(h.Results[0].Status))
	}
	// One at a time: two failures exceed max_failures = 1, the rest is skipped.
	if strings.Join(statuses, ",") != "failed,failed,skipped,skipped" || len(rep.Halted) != 1 {
		t.Errorf("statuses = %v, halted = %v", statuses, rep.Halted)
	}
}

// TestApplyProviderCrash: a provider that dies on one host fails that
// host's actions; tend starts it again for the next host.
func TestApplyProviderCrash(t *testing.T) {
	loadertest.InstallTestProvider(t)
	cfg := testFleet(t, []string{"a1", "a2", "a3"}, "rollout {\n ring \"all\" {\n percent = 100\n }\n max_parallel = 1\n }")
	ctx := context.Background()
	res := initAndPlan(t, cfg)
	for i, h := range res.Saved.Plan.Hosts {
		if h.Host == "a1" {
			res.Saved.Plan.Hosts[i].Actions[0].Package = "crash"
			// Not the transaction resolved for a: the provider would refuse.
			res.Saved.Plan.Hosts[i].Transaction = nil
		}
	}
	ps, _ := session.OpenProviders(cfg, nil)
	defer ps.Close()
	rep := Apply(ctx, cfg, ps, res.Saved.Plan, Options{})
	got := map[string]sdk.Status{}
	for _, h := range rep.Hosts {
		got[h.Host] = h.Results[0].Status
		if h.Host == "a1" && (h.Err == nil || !strings.Contains(h.Err.Error(), "crashed")) {
			t.Errorf("a1 error = %v; want it to say the provider crashed", h.Err)
		}
	}
	if got["a1"] != sdk.StatusFailed || got["a2"] != sdk.StatusSucceeded || got["a3"] != sdk.StatusSucceeded || rep.Failed() != 1 {
		t.Errorf("statuses = %v", got)
	}
}

// TestScanApplyOverSSH reaches a host through a real sshd on 127.0.0.1:
// the provider's commands run there over one reused connection.
func TestScanApplyOverSSH(t *testing.T) {
	srv := sshtest.Start(t)
	loadertest.InstallTestProvider(t)
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), fmt.Sprintf(`
provider "test" {
  greeting = "over ssh"
}
host "remote" {
  transport = "ssh"
  address   = "127.0.0.1"
  ssh {
    port             = %d
    user             = %q
    identity_file    = %q
    known_hosts_file = %q
  }
}
policy "p" {
  provider = "test"
  targets  = [host.remote]
  approve {}
}
`, srv.Port, srv.User, srv.UserKey, srv.KnownHosts))
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ctx := context.Background()
	if _, err := lockfile.Init(ctx, cfg, nil); err != nil {
		t.Fatal(err)
	}
	res, err := engine.Plan(ctx, engine.PlanOptions{ConfigDir: dir, Inventory: "live", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := inventory.ReadDir(filepath.Join(dir, inventory.DefaultDir))
	if err != nil || snap["remote"].Providers["test"].Facts["said"] != "over ssh remote" {
		t.Fatalf("scan over ssh = %+v, %v", snap["remote"], err)
	}
	ps, _ := session.OpenProviders(cfg, nil)
	defer ps.Close()
	rep := Apply(ctx, cfg, ps, res.Saved.Plan, Options{})
	if rep.Failed() != 0 || len(rep.Hosts) != 1 || rep.Hosts[0].Results[0].Status != sdk.StatusSucceeded {
		t.Fatalf("apply over ssh = %+v", rep.Hosts)
	}

	// An unknown host key fails the host with a message saying what to do.
	sshtest.WriteFile(t, srv.KnownHosts, "")
	ps2, _ := session.OpenProviders(cfg, nil)
	defer ps2.Close()
	_, err = session.Scan(ctx, cfg, ps2, session.ScanOptions{})
	if err == nil || !strings.Contains(err.Error(), "ssh-keyscan") {
		t.Errorf("unknown host key: err = %v", err)
	}
}

// TestApplyStopsAtCutoff: a host that would start after the window's cutoff
// is skipped, even though the window was open when the apply began.
func TestApplyStopsAtCutoff(t *testing.T) {
	loadertest.InstallTestProvider(t)
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), `provider "test" {}
host "a1" {
  transport = "local"
}
host "a2" {
  transport = "local"
}
window "nightly" {
  schedule = "0 22 * * *"
  duration = "1h"
  cutoff   = "30m"
  timezone = "UTC"
}
policy "p" {
  provider = "test"
  targets  = [host.a1, host.a2]
  window   = window.nightly
  approve {}
  rollout {
    ring "all" {
      percent = 100
    }
    max_parallel = 1
  }
}
`)
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ctx := context.Background()
	if _, err := lockfile.Init(ctx, cfg, nil); err != nil {
		t.Fatal(err)
	}
	// 10 ms before the cutoff: the first host starts, the second would
	// start after it.
	at := time.Date(2026, 11, 23, 22, 29, 59, 990_000_000, time.UTC)
	res, err := engine.Plan(ctx, engine.PlanOptions{ConfigDir: dir, Inventory: "live", Now: at})
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := session.OpenProviders(cfg, nil)
	defer ps.Close()
	rep := Apply(ctx, cfg, ps, res.Saved.Plan, Options{Now: at, Progress: func(e Event) {
		if e.Done != nil {
			time.Sleep(20 * time.Millisecond) // the first host takes a while
		}
	}})
	if len(rep.Hosts) != 2 {
		t.Fatalf("hosts: %+v", rep.Hosts)
	}
	first, second := rep.Hosts[0].Results[0], rep.Hosts[1].Results[0]
	if first.Status != sdk.StatusSucceeded || second.Status != sdk.StatusSkipped || !strings.Contains(second.Message, "cutoff") {
		t.Fatalf("results: %+v / %+v", first, second)
	}
}

// lockAndOpen writes cfg's lock file and starts its providers, closed when
// the test ends.
func lockAndOpen(t *testing.T, cfg *config.Config) *session.Providers {
	t.Helper()
	if _, err := lockfile.Init(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	ps, err := session.OpenProviders(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ps.Close() })
	return ps
}

// TestHostileHostOutput: a host where a command prints without end (an
// endless /etc/os-release) fails alone, with the output limit's error
// naming it and the command; the other hosts are scanned and applied.
func TestHostileHostOutput(t *testing.T) {
	loadertest.InstallTestProvider(t)
	cfg := testFleet(t, []string{"flood_apply", "flood_scan", "web_1"}, "")
	ctx := context.Background()
	ps := lockAndOpen(t, cfg)
	snaps, err := session.Scan(ctx, cfg, ps, session.ScanOptions{})
	failed := session.HostErrors(err)
	if len(failed) != 1 || failed["flood_scan"] == nil {
		t.Fatalf("scan errors = %v; want flood_scan alone to fail", err)
	}
	for _, want := range []string{"flood_scan: ", "head -c 200000000 /dev/zero", "printed more than 64 MiB on stdout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("scan error %q does not contain %q", err, want)
		}
	}
	if snaps["web_1"] == nil || snaps["flood_apply"] == nil {
		t.Fatalf("snapshots of %v; want web_1 and flood_apply", slices.Sorted(maps.Keys(snaps)))
	}

	res, err := engine.Plan(ctx, engine.PlanOptions{ConfigDir: cfg.Dir, Inventory: "live", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	rep := Apply(ctx, cfg, ps, res.Saved.Plan, Options{})
	got := map[string]sdk.Status{}
	for _, h := range rep.Hosts {
		got[h.Host] = h.Results[0].Status
		if h.Host == "flood_apply" && !strings.Contains(h.Results[0].Message, "printed more than 64 MiB on stdout") {
			t.Errorf("flood_apply: %+v; want the output limit's error", h.Results[0])
		}
	}
	if got["flood_apply"] != sdk.StatusFailed || got["web_1"] != sdk.StatusSucceeded || len(got) != 2 {
		t.Errorf("apply statuses = %v; want flood_apply failed and web_1 succeeded", got)
	}
}
