package engine

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/internal/testfile"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/plugins/lockfile"
)

// TestLivePlanResolves plans live with the loader's test provider (which
// resolves each action to its own package): the plan shows the transaction
// as resolved live, the kept snapshot records it, and an offline plan from
// that snapshot checks against it as recorded.
func TestLivePlanResolves(t *testing.T) {
	loadertest.InstallTestProvider(t)
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), loadertest.TestProviderConfig)
	ctx := context.Background()
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if _, err := lockfile.Init(ctx, cfg, nil); err != nil {
		t.Fatal(err)
	}
	res, err := Plan(ctx, PlanOptions{ConfigDir: dir, Inventory: "live", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Change{{Package: "a", Kind: model.ChangeUpgrade, From: "1", To: "2"}}
	tx := res.Saved.Plan.Hosts[0].Transaction
	if tx == nil || tx.Status != model.TransactionResolved || tx.Source != model.ResolvedLive || tx.ResolvedAt == nil {
		t.Fatalf("live transaction = %+v", tx)
	}
	if diff := cmp.Diff(want, tx.Changes); diff != "" || len(tx.Extra) != 0 {
		t.Errorf("changes (-want +got):\n%s\nextra %+v", diff, tx.Extra)
	}
	if web2 := res.Saved.Plan.Hosts[1]; web2.Transaction != nil {
		t.Errorf("unscanned web_2 has a transaction: %+v", web2.Transaction)
	}

	snaps, err := inventory.ReadDir(filepath.Join(dir, inventory.DefaultDir))
	if err != nil {
		t.Fatal(err)
	}
	rec := snaps["web_1"].Providers["test"].Resolution
	if rec == nil || !rec.ResolvedAt.Equal(*tx.ResolvedAt) || len(rec.Actions) != 1 || rec.Actions[0].Package != "a" {
		t.Fatalf("recorded resolution = %+v", rec)
	}

	off, err := Plan(ctx, PlanOptions{ConfigDir: dir, Inventory: filepath.Join(dir, inventory.DefaultDir), Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	otx := off.Saved.Plan.Hosts[0].Transaction
	if otx == nil || otx.Status != model.TransactionResolved || otx.Source != model.ResolvedRecorded || !otx.ResolvedAt.Equal(*tx.ResolvedAt) {
		t.Fatalf("offline transaction = %+v", otx)
	}
}
