package winget

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tend-sh/tend/plugins/sdk"
)

func upgrade(pkg, from, to string) sdk.Action {
	return sdk.Action{ID: "win_1/winget/" + pkg, Type: sdk.ActionUpgrade, Package: pkg, From: from, To: to}
}

func noProgress(sdk.Progress) {}

// TestApplyFixtures: the exact stdin the apply script gets for the planned
// upgrades, and the results tend makes of each fixture.
func TestApplyFixtures(t *testing.T) {
	on := Config{AcceptAgreements: true}
	for _, c := range []struct {
		file    string
		actions []sdk.Action
		stdin   string
		want    []sdk.ActionResult
	}{
		{file: "apply/ok.json",
			actions: []sdk.Action{upgrade("Google.Chrome", "131.0.6778.86", "131.0.6778.109"), upgrade("Mozilla.Firefox", "133.0", "133.0.3")},
			stdin:   `{"upgrade":[{"id":"Google.Chrome","version":"131.0.6778.109"},{"id":"Mozilla.Firefox","version":"133.0.3"}],"accept_agreements":true}`,
			want: []sdk.ActionResult{
				{ActionID: "win_1/winget/Google.Chrome", Status: sdk.StatusSucceeded},
				{ActionID: "win_1/winget/Mozilla.Firefox", Status: sdk.StatusSucceeded, Message: "upgraded; the installer asks for a reboot"},
			}},
		{file: "apply/failed.json",
			actions: []sdk.Action{upgrade("7zip.7zip", "24.08", "24.09"), upgrade("Adobe.Acrobat.Reader.64-bit", "24.004.20272", "24.005.20320"), upgrade("VideoLAN.VLC", "3.0.20", "3.0.21")},
			stdin:   `{"upgrade":[{"id":"7zip.7zip","version":"24.09"},{"id":"Adobe.Acrobat.Reader.64-bit","version":"24.005.20320"},{"id":"VideoLAN.VLC","version":"3.0.21"}],"accept_agreements":true}`,
			want: []sdk.ActionResult{
				{ActionID: "win_1/winget/7zip.7zip", Status: sdk.StatusFailed, Message: "InstallError (the installer failed); installer error code 0x00000002 (2); extended error code 0x8A150101 APPINSTALLER_CLI_ERROR_INSTALL_PACKAGE_IN_USE"},
				{ActionID: "win_1/winget/Adobe.Acrobat.Reader.64-bit", Status: sdk.StatusFailed, Message: "InstallError (the installer failed); installer error code 0x00000643 (1603); extended error code 0x80070643 ERROR_INSTALL_FAILURE"},
				{ActionID: "win_1/winget/VideoLAN.VLC", Status: sdk.StatusFailed, Message: "NoApplicableUpgrade (winget will not upgrade to this version: pinned in winget, a different installer type, or not newer); extended error code 0x8A15008E APPINSTALLER_CLI_ERROR_UPDATE_INSTALL_TECHNOLOGY_MISMATCH"},
			}},
	} {
		t.Run(c.file, func(t *testing.T) {
			h := &host{t: t, answer: document(t, c.file)}
			var progress []string
			got, err := Apply(context.Background(), h, on, c.actions, func(p sdk.Progress) { progress = append(progress, p.ActionID) })
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{c.stdin}, h.stdin); diff != "" {
				t.Errorf("stdin (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"winget/apply.ps1"}, h.scripts); diff != "" {
				t.Error(diff)
			}
			if len(progress) != len(c.actions) {
				t.Errorf("progress about %q", progress)
			}
		})
	}
}

// TestApplyRefused: what the provider cannot or may not do never reaches
// the host, and fails with the reason.
func TestApplyRefused(t *testing.T) {
	h := &host{t: t, answer: func(sdk.Cmd) (sdk.Result, error) { t.Fatal("a command ran"); return sdk.Result{}, nil }}
	actions := []sdk.Action{
		upgrade("Google.Chrome", "131.0.6778.86", "131.0.6778.109"),
	}
	got, err := Apply(context.Background(), h, Config{}, actions, noProgress)
	if err != nil || got[0].Status != sdk.StatusFailed || !strings.Contains(got[0].Message, "accept_agreements = true") {
		t.Errorf("without accept_agreements: %+v, %v", got, err)
	}
	on := Config{AcceptAgreements: true}
	for _, c := range []struct {
		action sdk.Action
		want   string
	}{
		{sdk.Action{ID: "d", Type: sdk.ActionDowngrade, Package: "Google.Chrome", To: "130.0"}, "upgrades only, not downgrade"},
		{sdk.Action{ID: "r", Type: sdk.ActionReboot}, "upgrades only, not reboot"},
		{upgrade(`ARP\Machine\X64\Contoso Agent`, "5.2.1", "5.3"), "not a winget package id"},
		{upgrade("Google.Chrome", "1", `1"; Remove-Item C:\ -Recurse; "`), "not a winget package version"},
	} {
		got, err := Apply(context.Background(), h, on, []sdk.Action{c.action}, noProgress)
		if err != nil || got[0].Status != sdk.StatusFailed || !strings.Contains(got[0].Message, c.want) {
			t.Errorf("%+v: %+v, %v; want %q", c.action, got, err, c.want)
		}
	}
}

// TestApplyScriptFails: when the script does not report, every upgrade it
// was given fails with the cause; one it forgets fails on its own.
func TestApplyScriptFails(t *testing.T) {
	on := Config{AcceptAgreements: true}
	actions := []sdk.Action{upgrade("Google.Chrome", "131.0.6778.86", "131.0.6778.109"), upgrade("Mozilla.Firefox", "133.0", "133.0.3")}
	h := &host{t: t, answer: func(sdk.Cmd) (sdk.Result, error) {
		return sdk.Result{Stdout: []byte(`{"error": {"message": "The term 'Update-WinGetPackage' is not recognized", "type": "System.Management.Automation.CommandNotFoundException", "hresult": -2146233087, "line": 0}}`), ExitCode: 1}, nil
	}}
	got, err := Apply(context.Background(), h, on, actions, noProgress)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got {
		if r.Status != sdk.StatusFailed || !strings.Contains(r.Message, "winget/apply.ps1: The term 'Update-WinGetPackage' is not recognized") {
			t.Errorf("%+v", r)
		}
	}
	h.answer = func(sdk.Cmd) (sdk.Result, error) {
		return sdk.Result{Stdout: []byte(`{"results": [{"id": "Google.Chrome", "status": "Ok", "installer_error_code": 0, "extended_error_code": 0, "reboot_required": false}]}`)}, nil
	}
	got, err = Apply(context.Background(), h, on, actions, noProgress)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Status != sdk.StatusSucceeded || got[1].Status != sdk.StatusFailed || !strings.Contains(got[1].Message, "no result") {
		t.Errorf("%+v", got)
	}
}

func TestParseConfig(t *testing.T) {
	if cfg, err := ParseConfig(map[string]any{"accept_agreements": true}); err != nil || !cfg.AcceptAgreements {
		t.Errorf("%+v, %v", cfg, err)
	}
	if _, err := ParseConfig(map[string]any{"accept_agreements": "yes"}); err == nil {
		t.Error("a string was accepted")
	}
	if _, err := ParseConfig(map[string]any{"source": "winget"}); err == nil || !strings.Contains(err.Error(), `unknown attribute "source"`) {
		t.Errorf("unknown attribute: %v", err)
	}
}
