package savedplan

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/internal/testfile"
	"github.com/tend-sh/tend/core/model"
)

const testConfig = `
host "web_1" {
  transport = "local"
}
policy "p" {
  provider = "apt"
  targets  = [host.web_1]
  approve {}
}
`

func TestPlanSaveAndRead(t *testing.T) {
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "conf", "main.tend.hcl"), testConfig)
	testfile.Write(t, filepath.Join(dir, "inv", "web_1", "inventory.json"),
		`{"format_version": "1", "host": "web_1", "scanned_at": "2026-11-23T06:00:00Z", "providers": {"apt": {
		  "installed": [{"id": "a", "name": "a", "version": "1", "arch": "all"}],
		  "available": [{"id": "a", "name": "a", "from": "1", "to": "2", "classification": "other", "released_at": ""}],
		  "resolution": {"resolved_at": "2026-11-23T06:00:01Z",
		    "actions": [{"id": "web_1/apt/a", "type": "upgrade", "package": "a", "from": "1", "to": "2"}],
		    "changes": [{"package": "a", "kind": "upgrade", "from": "1", "to": "2"},
		                {"package": "b", "kind": "install", "from": "", "to": "1", "required_by": ["a"]}]}}}}`)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	res, err := engine.Plan(context.Background(), engine.PlanOptions{ConfigDir: filepath.Join(dir, "conf"), Inventory: filepath.Join(dir, "inv"), Now: now, TendVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	sp := res.Saved
	if !strings.HasPrefix(sp.ConfigDigest, "sha256:") || sp.Plan.Summary.Actions[model.ActionUpgrade] != 1 {
		t.Fatalf("saved plan = %+v, summary %+v", sp, sp.Plan.Summary)
	}
	if sp.Plan.Config.Commit != "" {
		t.Errorf("commit outside Git = %q, want empty", sp.Plan.Config.Commit)
	}
	path := filepath.Join(dir, "plan.tendplan")
	if err := Write(path, sp); err != nil {
		t.Fatal(err)
	}
	back, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.ConfigDigest != sp.ConfigDigest || !back.Plan.Hosts[0].ScannedAt.Equal(*sp.Plan.Hosts[0].ScannedAt) {
		t.Errorf("round trip lost data: %+v", back)
	}
	// The transaction travels with the plan, for apply to hand to the provider.
	tx := back.Plan.Hosts[0].Transaction
	if tx == nil || tx.Status != model.TransactionResolved || tx.Source != model.ResolvedRecorded || len(tx.Changes) != 2 ||
		len(tx.Extra) != 1 || tx.Extra[0].Package != "b" || tx.Extra[0].RequiredBy[0] != "a" {
		t.Errorf("saved transaction = %+v", tx)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("a temporary file was left behind: %v", entries)
	}
	if _, err := Read(filepath.Join(dir, "inv", "web_1", "inventory.json")); err == nil || !strings.Contains(err.Error(), "not a tend plan file") {
		t.Errorf("reading a snapshot as a plan: err = %v", err)
	}
}
