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
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, strings.NewReader(""), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr.String())
			}
			got := stdout.Bytes()
			path := filepath.Join(golden, tc.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/tend -run TestExamplePlans -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s; rerun with -update and review the diff.\n--- got ---\n%s", path, got)
			}
		})
	}
}
