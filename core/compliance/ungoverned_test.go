package compliance

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
)

// TestUngoverned runs the real planner on a configuration where a group's
// selector has a typo: the host it meant drops out of every policy, and a
// host's snapshot has a provider none of its policies uses. Both count as
// non-compliant and ungoverned, and the plan warns at the blocks.
func TestUngoverned(t *testing.T) {
	const src = `host "a" {
  transport = "local"
  labels    = { client = "acme" }
}
host "b" {
  transport = "local"
  labels    = { client = "fabrikam" }
}
host "c" {
  transport = "local"
  labels    = { client = "acme" }
}
group "acme" {
  match = { client = "acme" }
}
group "fabrikam" {
  match = { client = "fabrikan" }
}
policy "acme" {
  provider = "apt"
  targets  = [group.acme]
}
policy "fabrikam" {
  provider = "apt"
  targets  = [group.fabrikam]
}
`
	cfg, diags := config.LoadSources("t", map[string][]byte{"t/main.tend.hcl": []byte(src)}, os.ReadFile)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	apt := func() *model.ProviderInventory { return &model.ProviderInventory{} }
	inv := map[string]*model.Snapshot{
		"a": {FormatVersion: "1", Host: "a", ScannedAt: scanned, Providers: map[string]*model.ProviderInventory{"apt": apt()}},
		"b": {FormatVersion: "1", Host: "b", ScannedAt: scanned, Providers: map[string]*model.ProviderInventory{"apt": apt()}},
		"c": {FormatVersion: "1", Host: "c", ScannedAt: scanned, Providers: map[string]*model.ProviderInventory{"apt": apt(), "winget": apt()}},
	}
	pl, warns := planner.Plan(planner.Input{Config: cfg, Inventory: inv, Now: now})

	wantUngoverned := []model.Ungoverned{
		{Host: "b", Provider: "apt", Reason: "no policy targets the host"},
		{Host: "c", Provider: "winget", Reason: `no policy for provider "winget" targets the host, though its snapshot has that provider`},
	}
	if d := cmp.Diff(wantUngoverned, pl.Ungoverned); d != "" {
		t.Errorf("plan.Ungoverned (-want +got):\n%s", d)
	}
	wantWarns := []model.Warning{
		{Message: `host "c" has provider "winget" in its snapshot, but no policy for "winget" targets it: those updates are ungoverned`},
		{Where: "t/main.tend.hcl:16:1", Message: `group "fabrikam" matches no host (client = "fabrikan"); did you mean client = "fabrikam"?`},
		{Where: "t/main.tend.hcl:23:1", Message: `policy "fabrikam" targets no host: its targets select none, so it patches nothing`},
		{Where: "t/main.tend.hcl:5:1", Message: `no policy targets host "b": tend never patches it, and reports count it ungoverned`},
	}
	if d := cmp.Diff(wantWarns, warns); d != "" {
		t.Errorf("warnings (-want +got):\n%s", d)
	}

	reports, sum := Evaluate(Input{Plan: pl, Inventory: inv, Now: now, Warnings: warns})
	states := map[string]string{}
	for _, r := range reports {
		states[r.Host] = r.State
	}
	if d := cmp.Diff(map[string]string{"a": "compliant", "b": "non_compliant", "c": "non_compliant"}, states); d != "" {
		t.Errorf("host states (-want +got):\n%s", d)
	}
	if sum.Hosts != 3 || sum.Compliant != 1 || sum.NonCompliant != 2 || sum.Ungoverned != 2 {
		t.Errorf("counts = %+v, want 3 hosts, 1 compliant, 2 non-compliant, 2 ungoverned", sum.Counts)
	}
	if len(sum.Warnings) != len(warns) {
		t.Errorf("summary has %d warnings, want the plan's %d", len(sum.Warnings), len(warns))
	}
}
