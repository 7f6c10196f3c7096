package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestServeReportsPerClient: tend serve --once --reports-per-client
// patches a host of client "Acme Corp" and commits, beside the fleet-wide
// branch, the client's own branch tend/reports-clients/Acme%20Corp: its
// host, its summary as summary.json, no rollouts or status; tend history
// reads the apply back from that branch alone. Real apt in a hermetic
// root, a real Git remote.
func TestServeReportsPerClient(t *testing.T) {
	conf, root := aptLabPolicy(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}},
		Security:  []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2"}},
	}, "approve {\n    classification = [\"security\"]\n  }")
	file := filepath.Join(conf, "lab.tend.hcl")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	labelled := strings.Replace(string(b), "transport = \"local\"\n", "transport = \"local\"\n  labels    = { client = \"Acme Corp\" }\n", 1)
	if err := os.WriteFile(file, []byte(labelled), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := tend(t, "init", "-C", conf); code != 0 {
		t.Fatalf("init: %d\n%s%s", code, out, errOut)
	}
	bare := publishConfig(t, conf, "policy")

	if code, out, errOut := tend(t, "serve", "--once", "--reports-per-client", "--repo", "file://"+bare, "--state-dir", t.TempDir()); code != 0 {
		t.Fatalf("serve --once: exit %d\n%s%s", code, out, errOut)
	}
	if got := root.Installed(t)["openssl"]; got != "3.0.20-2" {
		t.Fatalf("openssl %s", got)
	}
	const branch = "tend/reports-clients/Acme%20Corp"
	if refs := gitRun(t, bare, "for-each-ref", "--format=%(refname)"); !strings.Contains(refs, "refs/heads/"+branch) {
		t.Fatalf("refs:\n%s", refs)
	}
	if tree := gitRun(t, bare, "ls-tree", "-r", "--name-only", branch); tree != strings.Join([]string{
		"SUMMARY.md", "hosts/lab/inventory.json", "hosts/lab/report.json", "results.json", "summary.json"}, "\n") {
		t.Errorf("%s holds:\n%s", branch, tree)
	}
	var sum model.FleetSummary
	if err := json.Unmarshal([]byte(gitRun(t, bare, "show", branch+":summary.json")), &sum); err != nil ||
		sum.Client != "Acme Corp" || sum.Hosts != 1 || sum.Compliant != 1 {
		t.Errorf("the client's summary.json: %+v, %v", sum, err)
	}
	if msg := gitRun(t, bare, "log", "-1", "--format=%s", branch); !regexp.MustCompile(`^tend: [0-9a-f]{7} 1 hosts, 1 changed, 0 failed$`).MatchString(msg) {
		t.Errorf("commit message %q", msg)
	}
	code, out, errOut := tend(t, "-C", bare, "history", "--ref", branch)
	if code != 0 || !regexp.MustCompile(`(?m)^\S+ +lab \(Acme Corp\) +upgraded +apt/openssl +3\.0\.20-1 → 3\.0\.20-2 `).MatchString(out) {
		t.Fatalf("tend history --ref %s: exit %d\n%s%s", branch, code, out, errOut)
	}
}
