package apply

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/internal/testfile"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/session"
	"github.com/tend-sh/tend/plugins/loader/loadertest"
	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestApplyDuplicateSnapshotEntries plans from a snapshot that lists every
// update twice and applies it through the real apt provider on a hermetic
// root: each update is one action, and the installs are reported as the
// successes they are.
func TestApplyDuplicateSnapshotEntries(t *testing.T) {
	if err := apttest.Available(); err != nil {
		t.Skip(err)
	}
	loadertest.Install(t, "apt", "github.com/tend-sh/tend/providers/apt/cmd/tend-provider-apt")
	root, err := apttest.Create(t.TempDir(), apttest.Options{
		Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}, {Name: "curl", Version: "7.88-1"}},
		Security:  []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2"}, {Name: "curl", Version: "7.88-2"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), fmt.Sprintf(`provider "apt" {
  root = %q
}
host "lab" {
  transport = "local"
}
policy "p" {
  provider = "apt"
  targets  = [host.lab]
  reboot   = "never"
  approve {
    classification = ["security"]
  }
}
`, root.Dir))
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ctx := context.Background()
	ps := lockAndOpen(t, cfg)
	snaps, err := session.Scan(ctx, cfg, ps, session.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	inv := snaps["lab"].Providers["apt"]
	if len(inv.Available) != 2 {
		t.Fatalf("scan found %d updates, want 2: %+v", len(inv.Available), inv.Available)
	}
	inv.Available = append(inv.Available, inv.Available...)
	inv.Installed = append(inv.Installed, inv.Installed...)
	snapDir := t.TempDir()
	if err := inventory.Write(snapDir, snaps["lab"]); err != nil {
		t.Fatal(err)
	}

	res, err := engine.Plan(ctx, engine.PlanOptions{ConfigDir: dir, Inventory: snapDir, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	pl := res.Saved.Plan
	if len(pl.Hosts) != 1 || len(pl.Hosts[0].Actions) != 2 {
		t.Fatalf("plan from the doubled snapshot: %+v", pl.Hosts)
	}
	if len(res.Saved.Warnings) == 0 {
		t.Error("plan from the doubled snapshot: no warning about the repeated entries")
	}
	rep := Apply(ctx, cfg, ps, pl, Options{})
	if rep.Failed() != 0 || len(rep.Hosts) != 1 {
		t.Fatalf("apply: %d hosts failed: %+v", rep.Failed(), rep.Hosts)
	}
	for _, r := range rep.Hosts[0].Results {
		if r.Status != sdk.StatusSucceeded {
			t.Errorf("action %s: %s (%s), want succeeded", r.ActionID, r.Status, r.Message)
		}
	}
	if got := root.Installed(t); got["openssl"] != "3.0.20-2" || got["curl"] != "7.88-2" {
		t.Errorf("installed after apply: %v", got)
	}
}
