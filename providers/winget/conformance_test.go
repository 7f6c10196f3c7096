package winget

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/plugins/sdk/conformance"
	"github.com/tend-sh/tend/providers/internal/winscript"
)

// standIn is a Windows host for the conformance kit: it answers the scan
// script with testdata/scan/upgrades.json and the apply script with "Ok"
// for every package it is given, after checking each is the script
// contract's command line.
type standIn struct{ scan []byte }

func (s standIn) Run(_ context.Context, cmd sdk.Cmd) (sdk.Result, error) {
	if len(cmd.Argv) != 7 || cmd.Argv[0] != winscript.Program {
		return sdk.Result{}, fmt.Errorf("not the script contract's command line: %q", cmd.Argv)
	}
	switch cmd.Argv[6] {
	case winscript.EncodeCommand(ScanScript.Text()):
		return sdk.Result{Stdout: s.scan}, nil
	case winscript.EncodeCommand(ApplyScript.Text()):
		var p applyParams
		if err := json.Unmarshal(cmd.Stdin, &p); err != nil {
			return sdk.Result{}, err
		}
		results := []resultDoc{}
		for _, u := range p.Upgrade {
			results = append(results, resultDoc{ID: u.ID, Status: "Ok"})
		}
		out, err := json.Marshal(map[string]any{"results": results})
		return sdk.Result{Stdout: out}, err
	}
	return sdk.Result{}, fmt.Errorf("-EncodedCommand is neither embedded script")
}

// TestConformance runs the conformance kit against tend-provider-winget.
// There is no Windows host to record from, so the kit records each run
// afresh from the stand-in (into a temporary fixtures folder): what it
// checks is the provider's side of the protocol, on the documents of
// testdata/scan and the stand-in's answers.
func TestConformance(t *testing.T) {
	scan, err := os.ReadFile(filepath.Join("testdata", "scan", "upgrades.json"))
	if err != nil {
		t.Fatal(err)
	}
	id := func(pkg string) string { return "conformance/winget/" + pkg }
	conformance.Run(t, conformance.TestCase{
		Binary:    conformance.BuildBinary(t, "./cmd/tend-provider-winget"),
		Name:      "winget",
		Config:    map[string]any{"accept_agreements": true},
		Fixtures:  t.TempDir(),
		Record:    standIn{scan: scan},
		Pins:      []string{"Mozilla.Firefox"},
		ValidPins: []sdk.Pin{{ID: "ff", Package: "Mozilla.Firefox", Version: "133.0"}},
		InvalidPins: []sdk.Pin{
			{ID: "name", Package: "Firefox", Version: "133.0"},
			{ID: "version", Package: "Mozilla.Firefox", Version: `133.0"|x`},
		},
		Apply: []conformance.ApplyStep{{
			Name: "upgrades",
			Actions: []sdk.Action{
				{ID: id("chrome"), Type: sdk.ActionUpgrade, Package: "Google.Chrome", From: "131.0.6778.86", To: "131.0.6778.109"},
				{ID: id("7zip"), Type: sdk.ActionUpgrade, Package: "7zip.7zip", From: "24.08", To: "24.09"},
				{ID: id("downgrade"), Type: sdk.ActionDowngrade, Package: "Mozilla.Firefox", From: "133.0", To: "132.0"},
			},
			Want: map[string]sdk.Status{
				id("chrome"):    sdk.StatusSucceeded,
				id("7zip"):      sdk.StatusSucceeded,
				id("downgrade"): sdk.StatusFailed, // winget cannot downgrade
			},
		}},
	})
}
