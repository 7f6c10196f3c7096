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
