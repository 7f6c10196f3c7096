package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestExamplePlans plans the shipped examples at fixed times and compares
// the output with golden files: a change in planner behaviour shows up as a
// reviewable diff of a realistic fleet.
//
// The examples are copied out of this repository first, so the plan's config
// commit (this repository's HEAD, which changes with every commit) is empty.
func TestExamplePlans(t *testing.T) {
	golden, err := filepath.Abs(filepath.Join("testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if err := os.CopyFS(filepath.Join(work, "examples"), os.DirFS("../../examples")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	cases := []struct {
		golden string
		args   []string
	}{
		{"quickstart.txt", []string{"plan", "-C", "examples/quickstart", "--inventory", "examples/quickstart/snapshots", "--at", "2026-11-23T10:00:00Z"}},
		{"msp-fleet-monday.json", []string{"plan", "-C", "examples/msp-fleet", "--inventory", "examples/msp-fleet/snapshots", "--at", "2026-11-23T10:00:00Z", "--json"}},
		{"msp-fleet-saturday.txt", []string{"plan", "-C", "examples/msp-fleet", "--inventory", "examples/msp-fleet/snapshots", "--at", "2026-11-28T22:30:00+01:00", "-v"}},
		{"msp-fleet-saturday.md", []string{"plan", "-C", "examples/msp-fleet", "--inventory", "examples/msp-fleet/snapshots", "--at", "2026-11-28T22:30:00+01:00", "--markdown"}},
		{"vulnerabilities.txt", []string{"plan", "-C", "examples/vulnerabilities", "--inventory", "examples/vulnerabilities/snapshots", "--at", "2026-12-02T10:00:00Z"}},
		{"vulnerabilities.md", []string{"plan", "-C", "examples/vulnerabilities", "--inventory", "examples/vulnerabilities/snapshots", "--at", "2026-12-02T10:00:00Z", "--markdown"}},
		// Change control: several windows (all closed, then one open), a
		// freeze over an open window, a suspended host.
		{"change-control-monday.txt", []string{"plan", "-C", "examples/change-control", "--inventory", "examples/change-control/snapshots", "--at", "2026-11-23T10:00:00Z"}},
		{"change-control-wednesday.txt", []string{"plan", "-C", "examples/change-control", "--inventory", "examples/change-control/snapshots", "--at", "2026-11-25T03:30:00Z"}},
		{"change-control-freeze.txt", []string{"plan", "-C", "examples/change-control", "--inventory", "examples/change-control/snapshots", "--at", "2026-12-19T22:30:00+01:00"}},
		{"change-control-freeze.json", []string{"plan", "-C", "examples/change-control", "--inventory", "examples/change-control/snapshots", "--at", "2026-12-19T22:30:00+01:00", "--json"}},
		{"change-control-expired.txt", []string{"plan", "-C", "examples/change-control", "--inventory", "examples/change-control/snapshots", "--at", "2027-02-01T10:00:00Z"}},
		{"change-control-freeze.md", []string{"plan", "-C", "examples/change-control", "--inventory", "examples/change-control/snapshots", "--at", "2026-12-19T22:30:00+01:00", "--markdown"}},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, strings.NewReader(""), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr.String())
			}
			goldenFile(t, filepath.Join(golden, tc.golden), stdout.Bytes())
		})
	}
}
