package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/cmd/tend-fleetgen/fleetgen"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
)

// TestReportCommitIncremental: a reports commit that keeps the snapshots
// the branch already holds (only the rescanned hosts' are encoded again)
// has the same tree as one that writes every file anew.
func TestReportCommitIncremental(t *testing.T) {
	dir, config := generatedConfigRepo(t, fleetgen.Options{Hosts: 30, Installed: 40, Available: 6, Seed: 7})
	incremental, full := filepath.Join(dir, "incremental"), filepath.Join(dir, "full")
	copyTree(t, config, incremental)
	copyTree(t, config, full)

	before := filepath.Join(dir, fleetgen.SnapshotsDir)
	const at = "2026-11-28T22:30:00+01:00"
	tendOK(t, "report", "-C", incremental, "--inventory", before, "--at", at, "--commit")

	// Three hosts rescanned: a later scan and one more package, one of them
	// written compactly (bytes no encoder of tend's would make).
	after := filepath.Join(dir, "after")
	copyTree(t, before, after)
	hosts, err := os.ReadDir(after)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range []string{hosts[0].Name(), hosts[10].Name(), hosts[20].Name()} {
		path := filepath.Join(after, h, "inventory.json")
		snap := parseSnapshot(t, path, h)
		snap.ScannedAt = time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
		apt := snap.Providers["apt"]
		apt.Installed = append(apt.Installed, model.Installed{ID: "bench-extra", Name: "bench-extra", Version: "1.0-1", Arch: "all"})
		encode := inventory.Encode
		if i == 0 {
			encode = func(s *model.Snapshot) ([]byte, error) { return json.Marshal(s) }
		}
		data, err := encode(snap)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tendOK(t, "report", "-C", incremental, "--inventory", after, "--at", at, "--commit")
	tendOK(t, "report", "-C", full, "--inventory", after, "--at", at, "--commit")

	got, want := revParse(t, incremental, "tend/reports^{tree}"), revParse(t, full, "tend/reports^{tree}")
	if got != want {
		t.Errorf("incremental reports tree %s, full rewrite %s", got, want)
	}
	if n := revParse(t, incremental, "tend/reports~1^{tree}"); n == got {
		t.Error("the rescan changed nothing on the reports branch")
	}
	// Every host's snapshot on the branch is what the files hold.
	for _, h := range hosts {
		path := filepath.Join(after, h.Name(), "inventory.json")
		file := strings.TrimSpace(runGit(t, incremental, "hash-object", path))
		onBranch := revParse(t, incremental, "tend/reports:hosts/"+h.Name()+"/inventory.json")
		if h.Name() == hosts[0].Name() {
			if file == onBranch {
				t.Errorf("%s: the compact snapshot was kept as it was, not encoded", h.Name())
			}
			continue
		}
		if file != onBranch {
			t.Errorf("%s: snapshot on the branch %s, file %s", h.Name(), onBranch, file)
		}
	}
}

// copyTree copies directory src to dst with cp -a.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp -a %s %s: %v\n%s", src, dst, err, out)
	}
}

func revParse(t *testing.T, dir, rev string) string {
	t.Helper()
	return strings.TrimSpace(runGit(t, dir, "rev-parse", rev))
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// TestReportCommitDays: reports committed day after day onto one branch
// (each commit keeping the snapshots it already holds and packing only
// what changed) hold, every day, the tree a report of that day's inputs
// onto a new branch writes, results.json aside (it is kept from the
// branch's first commit); and git checks every pack.
func TestReportCommitDays(t *testing.T) {
	dir, config := generatedConfigRepo(t, fleetgen.Options{Hosts: 20, Installed: 30, Available: 5, Seed: 11})
	daily := filepath.Join(dir, "daily")
	copyTree(t, config, daily)
	snaps := filepath.Join(dir, fleetgen.SnapshotsDir)
	hosts, err := os.ReadDir(snaps)
	if err != nil {
		t.Fatal(err)
	}
	days := []struct {
		at      string
		rescans []int // hosts rescanned that morning
	}{
		{"2026-11-28T22:30:00+01:00", nil},
		{"2026-11-30T09:00:00+01:00", []int{1, 7}},
		{"2026-12-03T09:00:00+01:00", []int{2, 7, 15}},
		{"2026-12-10T09:00:00+01:00", nil},
	}
	prev := ""
	for d, day := range days {
		at, err := time.Parse(time.RFC3339, day.at)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range day.rescans {
			h := hosts[i].Name()
			path := filepath.Join(snaps, h, "inventory.json")
			snap := parseSnapshot(t, path, h)
			snap.ScannedAt = at.Add(-3 * time.Hour).UTC()
			apt := snap.Providers["apt"]
			apt.Installed = append(apt.Installed, model.Installed{ID: "day-" + h, Name: "day-extra", Version: "1.0-" + string(rune('1'+d)), Arch: "all"})
			if err := inventory.Write(snaps, snap); err != nil {
				t.Fatal(err)
			}
		}
		tendOK(t, "report", "-C", daily, "--inventory", snaps, "--at", day.at, "--commit")
		runGit(t, daily, "fsck", "--strict")
		fresh := filepath.Join(dir, "fresh"+string(rune('0'+d)))
		copyTree(t, config, fresh)
		tendOK(t, "report", "-C", fresh, "--inventory", snaps, "--at", day.at, "--commit")
		got, want := treeWithoutResults(t, daily), treeWithoutResults(t, fresh)
		if got != want {
			t.Errorf("day %d (%s): the daily branch holds\n%s\na new branch\n%s", d+1, day.at, got, want)
		}
		if len(day.rescans) > 0 && got == prev {
			t.Errorf("day %d (%s): the rescans changed nothing on the branch", d+1, day.at)
		}
		prev = got
	}
	if n := strings.Count(runGit(t, daily, "log", "--oneline", "tend/reports"), "\n"); n < 3 {
		t.Errorf("%d commits on the daily branch, want one a day at least from the second day's changes on", n)
	}
}

// treeWithoutResults lists the reports branch's files with their blobs,
// results.json left out.
func treeWithoutResults(t *testing.T, dir string) string {
	t.Helper()
	var keep []string
	for _, l := range strings.Split(strings.TrimSpace(runGit(t, dir, "ls-tree", "-r", "tend/reports")), "\n") {
		if !strings.HasSuffix(l, "\tresults.json") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// generatedConfigRepo generates a fleet into a temporary directory and
// commits its configuration directory as a Git repository; it returns the
// directory and the configuration's path.
func generatedConfigRepo(t *testing.T, o fleetgen.Options) (dir, config string) {
	t.Helper()
	dir = t.TempDir()
	if err := fleetgen.Generate(o, fleetgen.DirWriter(dir)); err != nil {
		t.Fatal(err)
	}
	config = filepath.Join(dir, fleetgen.ConfigDir)
	gitOK(t, config, "init", "-q")
	gitOK(t, config, "add", "-A")
	gitOK(t, config, "commit", "-qm", "config")
	return dir, config
}

// parseSnapshot reads host's snapshot file at path as tend does.
func parseSnapshot(t *testing.T, path, host string) *model.Snapshot {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := inventory.Parse(path, data, host)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}
