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
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := inventory.Parse(path, data, h)
		if err != nil {
			t.Fatal(err)
		}
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
	steps := []struct {
		name   string
		at     string
		change func()
		reuses bool // some host's plan and report are reused
	}{
		{"first commit", day1, func() {}, false},
		{"nothing changed", day1, func() {}, true},
		{"two hosts rescanned", day1, func() {
			rescan(3, time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC), "extra-a")
			rescan(17, time.Date(2026, 11, 28, 7, 0, 0, 0, time.UTC), "extra-b")
		}, true},
		{"a canary host rescanned", day1, func() {
			rescan(canary[0], time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC), "extra-c")
		}, true},
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
		}, false},
		{"same inputs again", day1, func() {}, true},
		{"days later: delays, soak and windows passed", day2, func() {}, false},
		{"an apply recorded", day2, func() {
			h := hosts[9].Name()
			la := &model.LastApply{StartedAt: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC), FinishedAt: time.Date(2026, 12, 1, 7, 5, 0, 0, time.UTC),
				Results: []model.ActionResult{{ActionID: h + "/apt/nginx", Status: model.StatusFailed, Message: "dpkg was interrupted"}}}
			if err := localstate.WriteLastApply(daily, h, la); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"the configuration's repository moved", day2, func() {
			moved := filepath.Join(dir, "moved")
			if err := os.Rename(daily, moved); err != nil {
				t.Fatal(err)
			}
			daily = moved
		}, true},
		{"the reports branch set back to its first commit", day2, func() {
			// The cache's reports are no longer on the branch: rendered
			// from the cache, not kept as blobs.
			first := strings.TrimSpace(runGit(t, daily, "rev-list", "--max-parents=0", "tend/reports"))
			gitOK(t, daily, "update-ref", "refs/heads/tend/reports", first)
		}, true},
		{"nothing changed at last", day2, func() {}, true},
	}
	for i, st := range steps {
		st.change()
		full := filepath.Join(dir, "full"+strconv.Itoa(i))
		copyTree(t, daily, full)
		if err := os.RemoveAll(filepath.Join(full, reportcache.DefaultDir)); err != nil {
			t.Fatal(err)
		}
		reused, read := reportCommit(t, daily, snaps, st.at)
		t.Logf("%s: %d hosts reused, %d snapshot files read", st.name, reused, read)
		if n, _ := reportCommit(t, full, snaps, st.at); n != 0 {
			t.Fatalf("%s: the run without a cache reused %d hosts", st.name, n)
		}
		if i == 0 {
			// From now on the files generated have settled: the next run
			// records their stat information, the later ones read only
			// the files that changed (and the canary's, planned always).
			time.Sleep(reportcache.Settle + 100*time.Millisecond)
		}
		got, want := runGit(t, daily, "ls-tree", "-r", "tend/reports"), runGit(t, full, "ls-tree", "-r", "tend/reports")
		if got != want {
			t.Errorf("%s (step %d): with the cache the branch holds\n%s\nwithout\n%s", st.name, i+1, got, want)
		}
		if st.reuses != (reused > 0) {
			t.Errorf("%s (step %d): %d hosts reused", st.name, i+1, reused)
		}
		if i == len(steps)-1 && (reused != len(hosts)-len(canary) || read > len(canary)+3) {
			t.Errorf("%s: %d of %d hosts reused, %d in the canary ring; %d snapshot files read", st.name, reused, len(hosts), len(canary), read)
		}
	}
}

var reusedLine = regexp.MustCompile(`report cache: (\d+) hosts reused.*, (\d+) snapshot files read`)

// reportCommit runs tend report --commit and returns how many hosts it
// took from the cache and how many snapshot files it read.
func reportCommit(t *testing.T, config, snaps, at string) (reused, read int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args := []string{"report", "-C", config, "--inventory", snaps, "--at", at, "--commit", "--log-level", "debug"}
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
