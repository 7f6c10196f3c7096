package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/cmd/tend-fleetgen/fleetgen"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/localstate"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportcache"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// TestReportCacheMatchesFullRun: day after day, tend report --commit with
// the per-host cache (.tend/reportcache, warm from the day before) commits
// the very tree a run without it commits from the same branch and inputs:
// through rescans (of a canary host, whose newer scan moves the soak of
// the ring after it, and of others), a configuration change, the clock
// passing delays, soak and windows, a recorded apply, the repository
// moved, the branch set back (the cache's reports then rendered, not kept)
// and a day without change; and on the days the inputs allow, it reuses
// hosts and reads only the snapshot files that changed.
func TestReportCacheMatchesFullRun(t *testing.T) {
	dir, config := generatedConfigRepo(t, fleetgen.Options{Hosts: 40, Installed: 40, Available: 8, Seed: 5})
	snaps := filepath.Join(dir, fleetgen.SnapshotsDir)
	daily := filepath.Join(dir, "daily")
	copyTree(t, config, daily)
	hosts, err := os.ReadDir(snaps)
	if err != nil {
		t.Fatal(err)
	}
	rescan := func(i int, at time.Time, extra string) {
		h := hosts[i].Name()
		path := filepath.Join(snaps, h, "inventory.json")
		snap := parseSnapshot(t, path, h)
		snap.ScannedAt = at
		apt := snap.Providers["apt"]
		apt.Installed = append(apt.Installed, model.Installed{ID: extra, Name: extra, Version: "1.0-1", Arch: "all"})
		if len(apt.Available) > 0 { // one update installed
			u := apt.Available[0]
			apt.Available = apt.Available[1:]
			for j := range apt.Installed {
				if apt.Installed[j].Name == u.Name {
					apt.Installed[j].Version = u.To
				}
			}
		}
		if err := inventory.Write(snaps, snap); err != nil {
			t.Fatal(err)
		}
	}
	// Hosts of earlier rings are planned every time (later rings read
	// them); every other host is reused when nothing changed.
	canary := canaryHosts(t, config, hosts)
	day1 := "2026-11-28T22:30:00+01:00"
	day2 := "2026-12-01T09:00:00+01:00"
	// The later steps move only the clock, across each kind of instant at
	// which a plan judged against now changes: the entries' intervals
	// (planner.Reused.ValidAt) must end there.
	nothing := func() {}
	addGates := func() {
		path := filepath.Join(daily, "fleet.tend.hcl")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, []byte(`
freeze "year_end" {
  from   = "2026-12-03"
  until  = "2026-12-05"
  reason = "year-end change freeze"
}
`)...)
		b = bytes.Replace(b, []byte("policy \"staging_apt\" {\n"), []byte("policy \"staging_apt\" {\n  suspend {\n    until  = \"2026-12-07\"\n    reason = \"storage migration\"\n  }\n"), 1)
		b = bytes.ReplaceAll(b, []byte("  reboot = \"if_needed\"\n"), []byte("  reboot = \"if_needed\"\n\n  deadline {\n    within = \"40d\"\n  }\n"))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		gitOK(t, daily, "commit", "-qam", "a freeze, a suspension and deadlines")
	}
	// A host of the last ring of prod_apt (approval delay 3d, the weekend
	// window) for an update first seen in a later scan.
	var pl model.Plan
	if err := json.Unmarshal(tendOK(t, "plan", "-C", config, "--inventory", snaps, "--at", day1, "--json"), &pl); err != nil {
		t.Fatal(err)
	}
	prodHost := -1
	for _, hp := range pl.Hosts {
		for i, h := range hosts {
			if prodHost < 0 && h.Name() == hp.Host && hp.Policy == "prod_apt" && hp.Ring == "broad" && i != 3 && i != 17 && i != 9 {
				prodHost = i
			}
		}
	}
	if prodHost < 0 {
		t.Fatal("no broad-ring host of prod_apt")
	}
	newUpdate := func() {
		h := hosts[prodHost].Name()
		path := filepath.Join(snaps, h, "inventory.json")
		snap := parseSnapshot(t, path, h)
		snap.ScannedAt = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		apt := snap.Providers["apt"]
		apt.Installed = append(apt.Installed, model.Installed{ID: "extra-sec", Name: "extra-sec", Version: "1.0-1", Arch: "all"})
		apt.Available = append(apt.Available, model.Update{ID: "extra-sec", Name: "extra-sec", From: "1.0-1", To: "1.0-2",
			Classification: "security", Severity: "high", CVEs: []string{"CVE-2026-99999"}})
		if err := inventory.Write(snaps, snap); err != nil {
			t.Fatal(err)
		}
	}
	const (
		none = iota // no host reused
		some        // some hosts reused
		any         // either (the real clock: entries may or may not hold)
	)
	steps := []struct {
		name   string
		at     string // "": no --at, the real clock
		change func()
		reuses int
		// crosses: the hosts' plans differ from the step before's, so the
		// step does cross an instant that matters.
		crosses bool
	}{
		{"first commit", day1, func() {}, none, false},
		{"nothing changed", day1, func() {}, some, false},
		{"two hosts rescanned", day1, func() {
			rescan(3, time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC), "extra-a")
			rescan(17, time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC), "extra-b")
		}, some, false},
		{"a canary host rescanned", day1, func() {
			rescan(canary[0], time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC), "extra-c")
		}, some, false},
		{"configuration changed", day1, func() {
			path := filepath.Join(config, "fleet.tend.hcl")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b = bytes.Replace(b, []byte(`after          = "3d"`), []byte(`after          = "5d"`), 1)
			for _, d := range []string{config, daily} {
				if err := os.WriteFile(filepath.Join(d, "fleet.tend.hcl"), b, 0o644); err != nil {
					t.Fatal(err)
				}
				gitOK(t, d, "commit", "-qam", "a longer delay")
			}
		}, none, false},
		{"same inputs again", day1, func() {}, some, false},
		{"an hour later, the weekend window still open", "2026-11-28T23:30:00+01:00", nothing, some, false},
		{"the weekend window closed", "2026-11-29T03:30:00+01:00", nothing, some, true},
		{"the canary's soak over", "2026-11-29T10:00:00+01:00", nothing, some, false},
		{"days later", day2, func() {}, some, false},
		{"an apply recorded", day2, func() {
			h := hosts[9].Name()
			la := &model.LastApply{StartedAt: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC), FinishedAt: time.Date(2026, 12, 1, 7, 5, 0, 0, time.UTC),
				Results: []model.ActionResult{{ActionID: h + "/apt/nginx", Status: model.StatusFailed, Message: "dpkg was interrupted"}}}
			if err := localstate.WriteLastApply(daily, h, la); err != nil {
				t.Fatal(err)
			}
		}, some, false},
		{"the configuration's repository moved", day2, func() {
			moved := filepath.Join(dir, "moved")
			if err := os.Rename(daily, moved); err != nil {
				t.Fatal(err)
			}
			daily = moved
		}, some, false},
		{"the reports branch set back to its first commit", day2, func() {
			// The cache's reports are no longer on the branch: rendered
			// from the cache, not kept as blobs.
			first := strings.TrimSpace(runGit(t, daily, "rev-list", "--max-parents=0", "tend/reports"))
			gitOK(t, daily, "update-ref", "refs/heads/tend/reports", first)
		}, some, false},
		{"nothing changed at last", day2, func() {}, some, false},
		{"an hour later", "2026-12-01T10:00:00+01:00", nothing, some, false},
		{"a freeze, a suspension and deadlines", "2026-12-01T10:00:00+01:00", addGates, none, true},
		{"a security update first seen (delay 3d, deadline 40d)", "2026-12-01T10:00:00+01:00", newUpdate, some, true},
		{"the freeze about to begin", "2026-12-02T23:00:00Z", nothing, some, false},
		{"the freeze began", "2026-12-03T01:00:00Z", nothing, none, true},
		{"hours into the freeze", "2026-12-03T05:00:00Z", nothing, some, false},
		{"the delay's last hour", "2026-12-04T07:00:00Z", nothing, some, false},
		{"the delay over", "2026-12-04T09:00:00Z", nothing, some, true},
		{"the weekend window opened, frozen", "2026-12-05T21:30:00Z", nothing, some, true},
		{"the freeze over, the window open", "2026-12-06T01:00:00Z", nothing, none, true},
		{"the weekend window closed again", "2026-12-06T03:00:00Z", nothing, some, true},
		{"the suspension's last hour", "2026-12-07T23:00:00Z", nothing, some, false},
		{"the suspension over", "2026-12-08T01:00:00Z", nothing, some, true},
		{"the patch Tuesday window open", "2026-12-11T04:00:00Z", nothing, some, true},
		{"the deadline's last hour", "2027-01-10T07:00:00Z", nothing, any, true},
		{"the deadline passed", "2027-01-10T09:00:00Z", nothing, some, true},
		{"the exclusion's last hour", "2027-01-31T23:00:00Z", nothing, any, false},
		{"the exclusion expired", "2027-02-01T01:00:00Z", nothing, none, true},
		{"the real clock", "", nothing, any, false},
		{"the real clock again", "", nothing, some, false},
	}
	prev := ""
	for i, st := range steps {
		st.change()
		full := filepath.Join(dir, "full"+strconv.Itoa(i))
		copyTree(t, daily, full)
		if err := os.RemoveAll(filepath.Join(full, reportcache.DefaultDir)); err != nil {
			t.Fatal(err)
		}
		reused, read := reportCommit(t, daily, snaps, st.at)
		t.Logf("%s: %d hosts reused, %d snapshot files read", st.name, reused, read)
		got := runGit(t, daily, "ls-tree", "-r", "tend/reports")
		// The run without the cache from the same path (warnings name
		// the configuration's files).
		aside := daily + ".cached"
		mustRename(t, daily, aside)
		mustRename(t, full, daily)
		if n, _ := reportCommit(t, daily, snaps, st.at); n != 0 {
			t.Fatalf("%s: the run without a cache reused %d hosts", st.name, n)
		}
		want := runGit(t, daily, "ls-tree", "-r", "tend/reports")
		mustRename(t, daily, full)
		mustRename(t, aside, daily)
		if i == 0 {
			// From now on the files generated have settled: the next run
			// records their stat information, the later ones read only
			// the files that changed (and the canary's, planned always).
			time.Sleep(reportcache.Settle + 100*time.Millisecond)
		}
		if st.at == "" {
			// The two runs read the clock at different instants: what
			// they stamp with it (the summaries) differs; the hosts'
			// files may not.
			got, want = hostFiles(got), hostFiles(want)
		}
		if got != want {
			t.Errorf("%s (step %d): with the cache the branch holds\n%s\nwithout\n%s", st.name, i+1, got, want)
		}
		if st.at != "" {
			plans := hostPlans(t, daily, snaps, st.at)
			t.Logf("%s: plans changed: %v", st.name, plans != prev)
			if st.crosses && plans == prev {
				t.Errorf("%s (step %d): no host's plan changed: the step crosses no instant that matters", st.name, i+1)
			}
			prev = plans
		}
		if (st.reuses == none && reused > 0) || (st.reuses == some && reused == 0) {
			t.Errorf("%s (step %d): %d hosts reused", st.name, i+1, reused)
		}
		if st.name == "nothing changed at last" && (reused != len(hosts)-len(canary) || read > len(canary)+3) {
			t.Errorf("%s: %d of %d hosts reused, %d in the canary ring; %d snapshot files read", st.name, reused, len(hosts), len(canary), read)
		}
	}
}

// hostPlans returns the hosts' plans at an instant, as JSON.
func hostPlans(t *testing.T, config, snaps, at string) string {
	t.Helper()
	var pl model.Plan
	if err := json.Unmarshal(tendOK(t, "plan", "-C", config, "--inventory", snaps, "--at", at, "--json"), &pl); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(pl.Hosts)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// hostFiles keeps of ls-tree's lines those of the hosts' files.
func hostFiles(tree string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(tree, "\n") {
		if strings.Contains(line, "\t"+reportsbranch.HostsDir+"/") {
			b.WriteString(line)
		}
	}
	return b.String()
}

var reusedLine = regexp.MustCompile(`report cache: (\d+) hosts reused.*, (\d+) snapshot files read`)

// reportCommit runs tend report --commit and returns how many hosts it
// took from the cache and how many snapshot files it read.
func reportCommit(t *testing.T, config, snaps, at string) (reused, read int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := []string{"report", "-C", config, "--inventory", snaps, "--commit", "--log-level", "debug"}
	if at != "" {
		args = append(args, "--at", at)
	}
	if code := run(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("tend %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	m := reusedLine.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("tend %s: no report cache line in\n%s", strings.Join(args, " "), stderr.String())
	}
	reused, _ = strconv.Atoi(m[1])
	read, _ = strconv.Atoi(m[2])
	return reused, read
}

// canaryHosts returns the indexes of the hosts in the canary ring, from a
// plan.
func canaryHosts(t *testing.T, config string, hosts []os.DirEntry) []int {
	t.Helper()
	out := tendOK(t, "plan", "-C", config, "--inventory", filepath.Join(filepath.Dir(config), fleetgen.SnapshotsDir), "--at", "2026-11-28T22:30:00+01:00", "--json")
	var pl model.Plan
	if err := json.Unmarshal(out, &pl); err != nil {
		t.Fatal(err)
	}
	var canary []int
	for _, hp := range pl.Hosts {
		for i, h := range hosts {
			if hp.Ring == "canary" && h.Name() == hp.Host {
				canary = append(canary, i)
			}
		}
	}
	if len(canary) == 0 {
		t.Fatal("no canary host in the plan")
	}
	return canary
}
