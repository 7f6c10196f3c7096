package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// commitField hides the repository's own HEAD, which changes with every
// commit, from the golden files.
var commitField = regexp.MustCompile(`"commit": "[0-9a-f]*"`)

// TestExamplePlans plans the shipped examples at fixed times and compares
// the output with golden files: a change in planner behaviour shows up as a
// reviewable diff of a realistic fleet.
func TestExamplePlans(t *testing.T) {
	cases := []struct {
		golden string
		args   []string
	}{
		{"quickstart.txt", []string{"plan", "-C", "../../examples/quickstart", "--inventory", "../../examples/quickstart/snapshots", "--at", "2026-11-23T10:00:00Z"}},
		{"msp-fleet-monday.json", []string{"plan", "-C", "../../examples/msp-fleet", "--inventory", "../../examples/msp-fleet/snapshots", "--at", "2026-11-23T10:00:00Z", "--json"}},
		{"msp-fleet-saturday.txt", []string{"plan", "-C", "../../examples/msp-fleet", "--inventory", "../../examples/msp-fleet/snapshots", "--at", "2026-11-28T22:30:00+01:00", "-v"}},
		{"msp-fleet-saturday.md", []string{"plan", "-C", "../../examples/msp-fleet", "--inventory", "../../examples/msp-fleet/snapshots", "--at", "2026-11-28T22:30:00+01:00", "--markdown"}},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, strings.NewReader(""), &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr.String())
			}
			got := commitField.ReplaceAll(stdout.Bytes(), []byte(`"commit": "COMMIT"`))
			path := filepath.Join("testdata", "golden", tc.golden)
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
