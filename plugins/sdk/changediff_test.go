package sdk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiffChanges(t *testing.T) {
	plan := []Change{
		{Package: "app", Kind: ChangeUpgrade, From: "1.0", To: "2.0"},
		{Package: "liba", Kind: ChangeUpgrade, From: "1.0", To: "2.0", RequiredBy: []string{"app"}},
		{Package: "old", Kind: ChangeRemove, From: "1.0", RequiredBy: []string{"app"}},
	}
	if d := DiffChanges(plan, plan); d != nil {
		t.Errorf("same transaction: diff %q", d)
	}
	reasons := []Change{plan[0], {Package: "liba", Kind: ChangeUpgrade, From: "1.0", To: "2.0"}, plan[2]}
	if d := DiffChanges(plan, reasons); d != nil {
		t.Errorf("only RequiredBy differs: diff %q", d)
	}
	now := []Change{
		plan[0],
		{Package: "liba", Kind: ChangeUpgrade, From: "1.0", To: "2.1", RequiredBy: []string{"app"}},
		{Package: "libnew", Kind: ChangeInstall, To: "1.0", RequiredBy: []string{"app"}},
	}
	want := []string{
		"liba: upgrade 1.0 → 2.0 in the plan, upgrade 1.0 → 2.1 now",
		"libnew: install 1.0 is not in the plan",
		"old: remove 1.0 in the plan is no longer in the transaction",
	}
	if d := cmp.Diff(want, DiffChanges(plan, now)); d != "" {
		t.Errorf("DiffChanges (-want +got):\n%s", d)
	}
}
