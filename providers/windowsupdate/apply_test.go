package windowsupdate_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/windowsupdate"
)

func install(pkg string) sdk.Action {
	return sdk.Action{ID: "h/windowsupdate/" + pkg, Type: sdk.ActionInstall, Package: pkg, To: pkg}
}

var reboot = sdk.Action{ID: "h/windowsupdate/reboot", Type: sdk.ActionReboot}

// apply runs Apply against a fixture host and returns the results by
// action id, the commands and the progress messages.
func apply(t *testing.T, name string, cfg windowsupdate.Config, actions ...sdk.Action) (map[string]sdk.ActionResult, *recorder, []string) {
	t.Helper()
	rec := &recorder{next: host(t, name)}
	var progress []string
	results, err := windowsupdate.Apply(context.Background(), rec, cfg, actions, func(p sdk.Progress) { progress = append(progress, p.Message) })
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(actions) {
		t.Fatalf("%d results for %d actions", len(results), len(actions))
	}
	byID := map[string]sdk.ActionResult{}
	for _, r := range results {
		byID[r.ActionID] = r
	}
	return byID, rec, progress
}

func TestApplyNormalMonth(t *testing.T) {
	res, rec, _ := apply(t, "normal-month", windowsupdate.Config{},
		install("KB5044281"), install("KB2267602"), install("KB5042881"), reboot)
	var got []string
	for _, c := range rec.cmds {
		got = append(got, scriptOf(t, c))
	}
	want := []string{"scan.ps1", "apply.ps1", strings.Join(windowsupdate.RebootCommand, " ")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("commands (-want +got):\n%s", diff)
	}
	// Exactly the planned updates' ids, in plan order; KB5042881 is
	// already installed and not asked for again.
	if stdin := string(rec.cmds[1].Stdin); stdin != `{"install":["5b0e5b58-6f4e-4a61-9d63-2f0f6c1d9a01","c8d2e0b4-71a5-4f2e-9b61-0e3f5a7c8d03"],"accept_eula":false,"server_selection":0,"service_id":""}` {
		t.Errorf("apply stdin = %s", stdin)
	}
	if rec.cmds[1].Timeout != windowsupdate.InstallTimeout {
		t.Errorf("apply timeout = %s", rec.cmds[1].Timeout)
	}
	for id, want := range map[string]string{
		"h/windowsupdate/KB5044281": "succeeded: installed; reboot required",
		"h/windowsupdate/KB2267602": "succeeded: installed; a restart is pending on the host",
		"h/windowsupdate/KB5042881": "succeeded: KB5042881 is already installed",
		"h/windowsupdate/reboot":    "succeeded: restart in 30 seconds",
	} {
		if got := string(res[id].Status) + ": " + res[id].Message; got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
}

func TestApplyEula(t *testing.T) {
	res, rec, _ := apply(t, "eula", windowsupdate.Config{}, install("KB890830"), install("KB5044285"))
	if r := res["h/windowsupdate/KB890830"]; r.Status != sdk.StatusFailed || !strings.Contains(r.Message, "set accept_eula = true") {
		t.Errorf("KB890830 without accept_eula: %+v", r)
	}
	if r := res["h/windowsupdate/KB5044285"]; r.Status != sdk.StatusSucceeded {
		t.Errorf("KB5044285: %+v", r)
	}
	if stdin := string(rec.cmds[1].Stdin); !strings.HasPrefix(stdin, `{"install":["7a9c1e3f-5b7d-4f91-a2c4-6e8f0a1b2c06"],"accept_eula":false`) {
		t.Errorf("apply stdin = %s: the update with terms to accept must not be sent", stdin)
	}

	feature := "9e1c3a5b-7d9f-4b2c-8e4a-6c8e0a2b4d08"
	res, rec, progress := apply(t, "eula", windowsupdate.Config{AcceptEula: true}, install("KB890830"), install(feature))
	for _, id := range []string{"h/windowsupdate/KB890830", "h/windowsupdate/" + feature} {
		if r := res[id]; r.Status != sdk.StatusSucceeded {
			t.Errorf("%s with accept_eula: %+v", id, r)
		}
	}
	if stdin := string(rec.cmds[1].Stdin); stdin != `{"install":["d3a5c7e9-1b3d-4f5a-9c7e-2b4d6f8a0c07","`+feature+`"],"accept_eula":true,"server_selection":0,"service_id":""}` {
		t.Errorf("apply stdin = %s", stdin)
	}
	accepted := 0
	for _, p := range progress {
		if strings.HasPrefix(p, "accepting the license terms of ") && strings.HasSuffix(p, "accept_eula = true") {
			accepted++
		}
	}
	if accepted != 2 {
		t.Errorf("progress logs %d acceptances, want 2: %q", accepted, progress)
	}
}

func TestApplyFailedInstall(t *testing.T) {
	res, _, _ := apply(t, "failed-install", windowsupdate.Config{}, install("KB5034441"), reboot)
	r := res["h/windowsupdate/KB5034441"]
	if r.Status != sdk.StatusFailed || r.Message != "4c6e8a0b-2d4f-4a6c-8e0b-3d5f7a9c1e09: failed (HRESULT 0x80070643 ERROR_INSTALL_FAILURE)" {
		t.Errorf("KB5034441: %+v", r)
	}
	if r := res["h/windowsupdate/reboot"]; r.Status != sdk.StatusSucceeded {
		t.Errorf("reboot after a failed install: %+v", r)
	}
}

func TestApplyGone(t *testing.T) {
	res, rec, _ := apply(t, "empty", windowsupdate.Config{}, install("KB5044281"), sdk.Action{ID: "h/windowsupdate/x", Type: sdk.ActionRemove, Package: "KB5044281"})
	if r := res["h/windowsupdate/KB5044281"]; r.Status != sdk.StatusFailed || !strings.Contains(r.Message, "not offered to this host any more") {
		t.Errorf("an update gone since the plan: %+v", r)
	}
	if r := res["h/windowsupdate/x"]; r.Status != sdk.StatusFailed || !strings.Contains(r.Message, "cannot remove") {
		t.Errorf("remove: %+v", r)
	}
	if len(rec.cmds) != 1 {
		t.Errorf("%d commands, want the scan only", len(rec.cmds))
	}
}

// TestApplyScriptResults: what the apply script reports for each update
// decides its action, with the HRESULT in hex and by name.
func TestApplyScriptResults(t *testing.T) {
	scan := encoded(windowsupdate.ScanScript)
	host := host(t, "normal-month")
	for _, tc := range []struct {
		name  string
		out   sdk.Result
		err   error
		want  sdk.Status
		wantM string
	}{
		{"succeeded with errors", sdk.Result{Stdout: []byte(`{"results":[{"update_id":"5b0e5b58-6f4e-4a61-9d63-2f0f6c1d9a01","result_code":3,"hresult":-2145124330,"reboot_required":true}],"reboot_pending":true}`)},
			nil, sdk.StatusSucceeded, "installed; 5b0e5b58-6f4e-4a61-9d63-2f0f6c1d9a01 succeeded with errors (HRESULT 0x80240016 WU_E_INSTALL_NOT_ALLOWED); reboot required"},
		{"needs another download", sdk.Result{Stdout: []byte(`{"results":[{"update_id":"5b0e5b58-6f4e-4a61-9d63-2f0f6c1d9a01","result_code":4,"hresult":-2145116147,"reboot_required":false}],"reboot_pending":false}`)},
			nil, sdk.StatusFailed, "5b0e5b58-6f4e-4a61-9d63-2f0f6c1d9a01: failed (HRESULT 0x8024200D WU_E_UH_NEEDANOTHERDOWNLOAD)"},
		{"aborted", sdk.Result{Stdout: []byte(`{"results":[{"update_id":"5b0e5b58-6f4e-4a61-9d63-2f0f6c1d9a01","result_code":5,"hresult":-2145124318,"reboot_required":false}],"reboot_pending":false}`)},
			nil, sdk.StatusFailed, "5b0e5b58-6f4e-4a61-9d63-2f0f6c1d9a01: aborted (HRESULT 0x80240022 WU_E_ALL_UPDATES_FAILED)"},
		{"no result", sdk.Result{Stdout: []byte(`{"results":[],"reboot_pending":false}`)},
			nil, sdk.StatusFailed, "5b0e5b58-6f4e-4a61-9d63-2f0f6c1d9a01: the apply script reported no result"},
		{"access denied", sdk.Result{ExitCode: 1, Stdout: []byte(`{"error":{"message":"Access is denied. (Exception from HRESULT: 0x80070005 (E_ACCESSDENIED))","type":"System.UnauthorizedAccessException","hresult":-2147024891,"line":84}}`)},
			nil, sdk.StatusFailed, `windowsupdate/apply.ps1:66: Access is denied. (Exception from HRESULT: 0x80070005 (E_ACCESSDENIED)) (HRESULT 0x80070005 E_ACCESSDENIED) [System.UnauthorizedAccessException] (the Windows Update Agent refuses some calls from remote sessions; see docs/providers/windows.md, "Access denied")`},
		{"timeout", sdk.Result{}, context.DeadlineExceeded, sdk.StatusFailed, "windowsupdate/apply.ps1 did not finish within 3h0m0s (stopped): context deadline exceeded"},
		{"garbage", sdk.Result{Stdout: []byte(`{"results":[]} trailing`)}, nil, sdk.StatusFailed, `windowsupdate/apply.ps1: data after the JSON object (at byte 14); stdout: "{\"results\":[]} trailing"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runnerFunc(func(c sdk.Cmd) (sdk.Result, error) {
				if c.Argv[len(c.Argv)-1] == scan {
					return host.Run(context.Background(), c)
				}
				return tc.out, tc.err
			})
			results, err := windowsupdate.Apply(context.Background(), r, windowsupdate.Config{}, []sdk.Action{install("KB5044281")}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if results[0].Status != tc.want || results[0].Message != tc.wantM {
				t.Errorf("got %s: %s\nwant %s: %s", results[0].Status, results[0].Message, tc.want, tc.wantM)
			}
		})
	}
}

func TestApplyScanFails(t *testing.T) {
	r := runnerFunc(func(sdk.Cmd) (sdk.Result, error) { return sdk.Result{ExitCode: 1, Stderr: []byte("boom")}, nil })
	results, err := windowsupdate.Apply(context.Background(), r, windowsupdate.Config{}, []sdk.Action{install("KB5044281"), reboot}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Status != sdk.StatusFailed || !strings.HasPrefix(results[0].Message, "scan before install: windowsupdate/scan.ps1: exit status 1") {
		t.Errorf("install: %+v", results[0])
	}
	if results[1].Status != sdk.StatusFailed || !strings.Contains(results[1].Message, "shutdown.exe: exit status 1: boom") {
		t.Errorf("reboot: %+v", results[1])
	}
}
