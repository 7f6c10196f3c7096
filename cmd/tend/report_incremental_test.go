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
	dir := t.TempDir()
	if err := fleetgen.Generate(fleetgen.Options{Hosts: 30, Installed: 40, Available: 6, Seed: 7}, fleetgen.DirWriter(dir)); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, fleetgen.ConfigDir)
	gitOK(t, config, "init", "-q")
	gitOK(t, config, "add", "-A")
	gitOK(t, config, "commit", "-qm", "config")
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
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := inventory.Parse(path, data, h)
		if err != nil {
			t.Fatal(err)
		}
		snap.ScannedAt = time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
		apt := snap.Providers["apt"]
		apt.Installed = append(apt.Installed, model.Installed{ID: "bench-extra", Name: "bench-extra", Version: "1.0-1", Arch: "all"})
		if i == 0 {
			if data, err = json.Marshal(snap); err != nil {
				t.Fatal(err)
			}
		} else if data, err = inventory.Encode(snap); err != nil {
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
