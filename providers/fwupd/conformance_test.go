package fwupd

import (
	"path/filepath"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/plugins/sdk/conformance"
	"github.com/tend-sh/tend/providers/fwupd/fwupdtest"
)

// TestConformance runs the provider conformance kit against the
// tend-provider-fwupd binary, answering its commands from
// testdata/conformance, recorded from a real fwupd (fwupdtest's lab). To
// record them again:
//
//	TEND_CONFORMANCE_RECORD=1 go test -run TestConformance ./providers/fwupd
//
// The fixtures hold ${LAB} for the lab's temporary directory.
func TestConformance(t *testing.T) {
	lab := t.TempDir()
	var record sdk.Runner
	if conformance.RecordLocally() != nil {
		l := startLab(t, fwupdtest.Options{Releases: []fwupdtest.Release{{Version: "1.2.4", Urgency: "high"}}})
		lab = l.Dir
		record = labRunner{env: l.Env}
	}
	id := func(pkg string) string { return "conformance/fwupd/" + pkg }
	conformance.Run(t, conformance.TestCase{
		Binary:       conformance.BuildBinary(t, "./cmd/tend-provider-fwupd"),
		Name:         "fwupd",
		Config:       map[string]any{"refresh": true},
		Fixtures:     filepath.Join("testdata", "conformance"),
		Placeholders: map[string]string{"LAB": lab},
		Record:       record,
		Pins:         []string{fwupdtest.WebcamName},
		Apply: []conformance.ApplyStep{{
			Name: "webcam",
			Actions: []sdk.Action{
				{ID: id("webcam"), Type: sdk.ActionUpgrade, Package: fwupdtest.WebcamName, From: "1.2.2", To: "1.2.4"},
				{ID: id("none"), Type: sdk.ActionUpgrade, Package: "ACME Corp. No Such Device", From: "1", To: "2"},
				{ID: id("remove"), Type: sdk.ActionRemove, Package: fwupdtest.WebcamName},
			},
			Want: map[string]sdk.Status{
				id("webcam"): sdk.StatusSucceeded,
				id("none"):   sdk.StatusFailed,
				id("remove"): sdk.StatusFailed,
			},
		}},
	})
}
