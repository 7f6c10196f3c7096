package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
)

// TestNamed: where the packages a policy names stand, when the plan leaves
// them alone.
func TestNamed(t *testing.T) {
	cfg := loadConfig(t, `
host "a" {
  transport = "local"
}
policy "p" {
  provider = "apt"
  targets  = [host.a]
  pin      = { nginx = "1.22", tzdata = "2024z", curl = "7.90", gone = "1.0" }
  approve {
    packages = ["openssh-*", "absent", "absent-*"]
  }
}
`)
	s := snap("a", []string{"nginx=1.22", "tzdata=2025a", "curl=7.88", "openssh-server=9.2", "openssh-client=9.2"},
		model.Update{Name: "nginx", From: "1.22", To: "1.24"},
		model.Update{Name: "tzdata", From: "2025a", To: "2025b"},
		model.Update{Name: "curl", From: "7.88", To: "7.90"},
		model.Update{Name: "openssh-client", From: "9.2", To: "9.3"},
		model.Update{Name: "new-pkg", To: "1"})
	s.Providers["apt"].Versions = map[string][]string{"tzdata": {"2025b"}}
	pl, _ := Plan(Input{Config: cfg, Inventory: map[string]*model.Snapshot{"a": s}, Now: scannedAt})
	want := []model.NamedPackage{
		// absent-* is a glob: it names nothing the host lacks.
		{Package: "absent", Reason: "approve[0]: packages=openssh-*,absent,absent-*"},
		// curl's pin and openssh-client's update (approved by name) are
		// actions, new-pkg is no one's: none of them is listed.
		{Package: "gone", Pin: "1.0", Reason: "pin gone = 1.0"},
		{Package: "nginx", Installed: "1.22", Pin: "1.22", Reason: "pin nginx = 1.22"},
		{Package: "openssh-server", Installed: "9.2", Reason: "approve[0]: packages=openssh-*,absent,absent-*"},
		{Package: "tzdata", Installed: "2025a", Pin: "2024z", Reason: "pin tzdata = 2024z",
			Problem: `pin tzdata = "2024z": the host's sources do not offer that version (they offer 2025b)`},
	}
	if diff := cmp.Diff(want, pl.Hosts[0].Named); diff != "" {
		t.Errorf("named (-want +got):\n%s", diff)
	}
}
