package windowsupdate_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/plugins/sdk/conformance"
	"github.com/tend-sh/tend/providers/windowsupdate"
)

// TestConformance runs the provider conformance kit against the
// tend-provider-windowsupdate binary, answering its commands from
// testdata/conformance. Those were recorded from the replayed host
// testdata/hosts/normal-month.json (there is no Windows here), again with
//
//	TEND_CONFORMANCE_RECORD=1 go test -run TestConformance ./providers/windowsupdate
//
// The fixtures hold ${SCAN_SCRIPT} and ${APPLY_SCRIPT} for the encoded
// scripts, so a change to a script does not invalidate them.
func TestConformance(t *testing.T) {
	var record sdk.Runner
	if os.Getenv(conformance.EnvRecord) == "1" {
		record = host(t, "normal-month")
	}
	id := func(pkg string) string { return "conformance/windowsupdate/" + pkg }
	conformance.Run(t, conformance.TestCase{
		Binary:   conformance.BuildBinary(t, "./cmd/tend-provider-windowsupdate"),
		Name:     "windowsupdate",
		Config:   map[string]any{"server_selection": "windows_update"},
		Fixtures: filepath.Join("testdata", "conformance"),
		Placeholders: map[string]string{
			"SCAN_SCRIPT":  encoded(windowsupdate.ScanScript),
			"APPLY_SCRIPT": encoded(windowsupdate.ApplyScript),
		},
		Record:      record,
		InvalidPins: []sdk.Pin{{ID: "kb", Package: "KB5044281", Version: "KB5044281"}},
		Apply: []conformance.ApplyStep{
			{
				Name: "install",
				Actions: []sdk.Action{
					{ID: id("KB5044281"), Type: sdk.ActionInstall, Package: "KB5044281", To: "KB5044281"},
					{ID: id("KB2267602"), Type: sdk.ActionInstall, Package: "KB2267602", To: "KB2267602"},
					{ID: id("KB5040437"), Type: sdk.ActionInstall, Package: "KB5040437", To: "KB5040437"},
					{ID: id("remove"), Type: sdk.ActionRemove, Package: "KB5042881"},
				},
				Want: map[string]sdk.Status{
					id("KB5044281"): sdk.StatusSucceeded,
					id("KB2267602"): sdk.StatusSucceeded,
					id("KB5040437"): sdk.StatusFailed, // not offered to this host
					id("remove"):    sdk.StatusFailed, // windowsupdate does not uninstall
				},
			},
			{
				Name: "again_and_reboot",
				Actions: []sdk.Action{
					{ID: id("KB5044281"), Type: sdk.ActionInstall, Package: "KB5044281", To: "KB5044281"},
					{ID: id("reboot"), Type: sdk.ActionReboot},
				},
				Want: map[string]sdk.Status{
					id("KB5044281"): sdk.StatusSucceeded, // already installed
					id("reboot"):    sdk.StatusSucceeded,
				},
			},
		},
	})
}
