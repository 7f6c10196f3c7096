package compliance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
)

func TestWriteLayout(t *testing.T) {
	inv := snapshot(false)
	reports, s := Evaluate(Input{Plan: hostPlan(func(hp *model.HostPlan) {
		hp.Actions = []model.Action{opensslAction}
	}), Inventory: inv, Now: now})
	dir := t.TempDir()
	if err := WriteLayout(dir, reports, &s, inv); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"SUMMARY.md", "summary.json", "hosts/web_1/report.json", "hosts/web_1/inventory.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "hosts/web_1/report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r model.Report
	if err := json.Unmarshal(data, &r); err != nil || r.State != model.HostNonCompliant || len(r.Items) != 1 {
		t.Errorf("report.json = %s (%v)", data, err)
	}
	// The snapshot written is one offline plans read back.
	back, err := inventory.ReadDir(filepath.Join(dir, "hosts"))
	if err != nil || back["web_1"] == nil || back["web_1"].ScannedAt != scanned {
		t.Errorf("inventory read back: %v, %v", back, err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "hosts/web_1"))
	if len(entries) != 2 {
		t.Errorf("hosts/web_1 holds %d files, want 2 (no temporary files left)", len(entries))
	}
}

func TestLayoutClients(t *testing.T) {
	reports := []model.Report{
		{Host: "a1", Client: "acme", State: model.HostCompliant, Items: []model.Item{}},
		{Host: "a2", Client: "acme", State: model.HostNonCompliant, Items: []model.Item{
			{Provider: "windowsupdate", Package: "KB1", KB: "KB1", State: model.ItemMissing, CVEs: []string{}, Title: "t", Severity: "Critical"}}},
		{Host: "g1", Client: "globex/eu", State: model.HostCompliant, Items: []model.Item{}},
		{Host: "x", State: model.HostUnknown, Items: []model.Item{}},
	}
	s := Summarize(reports, map[string]string{"a1": "acme", "a2": "acme", "g1": "globex/eu"}, "abc", now)
	s.HaltedRollouts = []string{"p"}
	files, err := Layout(reports, &s, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"clients/acme/SUMMARY.md", "clients/acme/summary.json", "clients/globex%2Feu/summary.json"} {
		if files[f] == nil {
			t.Errorf("no %s", f)
		}
	}
	if len(files) != 2+4+4 { // fleet summary, 4 reports, 2 clients × 2
		t.Errorf("%d files", len(files))
	}
	var cs model.FleetSummary
	if err := json.Unmarshal(files["clients/acme/summary.json"], &cs); err != nil {
		t.Fatal(err)
	}
	if cs.Client != "acme" || cs.Hosts != 2 || cs.Compliant != 1 || cs.ConfigCommit != "abc" || len(cs.MissingPatches) != 1 ||
		cs.MissingPatches[0].Title != "t" || len(cs.HaltedRollouts) != 1 || len(cs.Clients) != 1 {
		t.Errorf("acme summary: %+v", cs)
	}
}
