package apt_test

import (
	"path/filepath"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/plugins/sdk/conformance"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestConformance runs the provider conformance kit against the
// tend-provider-apt binary, answering its commands from
// testdata/conformance. To record them again from a real hermetic root:
//
//	TEND_CONFORMANCE_RECORD=1 go test -run TestConformance ./providers/apt
//
// The fixtures hold ${LAB} for the temporary directory of the root and its
// repository.
func TestConformance(t *testing.T) {
	lab := t.TempDir()
	record := conformance.RecordLocally()
	if record != nil {
		if _, err := apttest.Create(lab, apttest.Options{
			Installed: []apttest.Pkg{{Name: "libssl3", Version: "3.0.20-1"}, {Name: "openssl", Version: "3.0.20-1", Depends: "libssl3"},
				{Name: "tzdata", Version: "2025a-1"}, {Name: "nginx", Version: "1.22.1-9+deb12u2"}},
			Stable: []apttest.Pkg{{Name: "tzdata", Version: "2025b-1"}, {Name: "nginx", Version: "1.22.1-9"}, {Name: "nginx", Version: "1.22.1-9+deb12u2"}},
			Security: []apttest.Pkg{{Name: "libssl3", Version: "3.0.20-2"},
				{Name: "openssl", Version: "3.0.20-2", Depends: "libssl3 (>= 3.0.20-2)"}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	id := func(pkg string) string { return "conformance/apt/" + pkg }
	conformance.Run(t, conformance.TestCase{
		Binary:       conformance.BuildBinary(t, "./cmd/tend-provider-apt"),
		Name:         "apt",
		Config:       map[string]any{"root": filepath.Join(lab, "root")},
		Fixtures:     filepath.Join("testdata", "conformance"),
		Placeholders: map[string]string{"LAB": lab},
		Record:       record,
		Pins:         []string{"nginx"},
		ValidPins:    []sdk.Pin{{ID: "nginx", Package: "nginx", Version: "1.22.1-9"}, {ID: "libc", Package: "libstdc++6", Version: "1:12.2.0-14"}},
		InvalidPins: []sdk.Pin{
			{ID: "name", Package: "Bad Name!", Version: "1.0"},
			{ID: "version", Package: "nginx", Version: "not a version!"},
		},
		Resolve: []conformance.ResolveStep{
			{
				Name: "openssl_pulls_libssl3",
				Actions: []sdk.Action{
					{ID: id("openssl"), Type: sdk.ActionUpgrade, Package: "openssl", From: "3.0.20-1", To: "3.0.20-2"},
					{ID: id("nginx"), Type: sdk.ActionDowngrade, Package: "nginx", From: "1.22.1-9+deb12u2", To: "1.22.1-9"},
				},
				Want: []sdk.Change{
					{Package: "libssl3", Kind: sdk.ChangeUpgrade, From: "3.0.20-1", To: "3.0.20-2", RequiredBy: []string{"openssl"}},
					{Package: "nginx", Kind: sdk.ChangeDowngrade, From: "1.22.1-9+deb12u2", To: "1.22.1-9"},
					{Package: "openssl", Kind: sdk.ChangeUpgrade, From: "3.0.20-1", To: "3.0.20-2"},
				},
			},
			{
				Name:      "no_such_version",
				Actions:   []sdk.Action{{ID: id("nginx"), Type: sdk.ActionUpgrade, Package: "nginx", From: "1.22.1-9+deb12u2", To: "9.9"}},
				WantError: true,
			},
		},
		Apply: []conformance.ApplyStep{
			{
				Name: "upgrade_downgrade_hold",
				Actions: []sdk.Action{
					{ID: id("openssl"), Type: sdk.ActionUpgrade, Package: "openssl", From: "3.0.20-1", To: "3.0.20-2"},
					{ID: id("nginx"), Type: sdk.ActionDowngrade, Package: "nginx", From: "1.22.1-9+deb12u2", To: "1.22.1-9"},
					{ID: id("tzdata"), Type: sdk.ActionHold, Package: "tzdata"},
					{ID: id("bad"), Type: sdk.ActionUpgrade, Package: "Bad Name", To: "1"},
				},
				Want: map[string]sdk.Status{
					id("openssl"): sdk.StatusSucceeded,
					id("nginx"):   sdk.StatusSucceeded,
					id("tzdata"):  sdk.StatusSucceeded,
					id("bad"):     sdk.StatusFailed, // invalid package name, never reaches argv
				},
			},
			{
				Name: "held_and_reboot",
				Actions: []sdk.Action{
					{ID: id("tzdata"), Type: sdk.ActionUpgrade, Package: "tzdata", From: "2025a-1", To: "2025b-1"},
					{ID: id("reboot"), Type: sdk.ActionReboot},
				},
				Want: map[string]sdk.Status{
					id("tzdata"): sdk.StatusFailed,  // held by the first step
					id("reboot"): sdk.StatusSkipped, // an alternate root has nothing to reboot
				},
			},
		},
	})
}
