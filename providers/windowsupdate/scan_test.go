package windowsupdate_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/windowsupdate"
	"github.com/tend-sh/tend/providers/windowsupdate/wuhost"
)

// TestFixtures parses every recorded host and maps its scan: each says
// where it came from, and every update becomes an installed or available
// package with an id.
func TestFixtures(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "hosts", "*.json"))
	if err != nil || len(paths) < 6 {
		t.Fatalf("%d fixtures (%v), want at least 6", len(paths), err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			s, err := wuhost.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(s.Note, "Constructed, not recorded") {
				t.Errorf("note %q does not say how the fixture was made", s.Note)
			}
			inv, warns := windowsupdate.Inventory(&s.Scan)
			if len(warns) > 0 {
				t.Errorf("warnings: %q", warns)
			}
			if n := len(inv.Installed) + len(inv.Available); n != len(s.Scan.Updates) {
				t.Errorf("%d updates became %d packages", len(s.Scan.Updates), n)
			}
			for _, u := range inv.Available {
				if u.ID == "" || u.To != u.ID || u.Classification == "" {
					t.Errorf("available %+v: want an id, to = id and a classification", u)
				}
			}
		})
	}
}

func TestScanNormalMonth(t *testing.T) {
	rec := &recorder{next: host(t, "normal-month")}
	inv, warns, err := windowsupdate.Scan(context.Background(), rec, windowsupdate.Config{})
	if err != nil || len(warns) > 0 {
		t.Fatal(err, warns)
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	want := &sdk.Inventory{
		Facts:     map[string]string{"os": "windows"},
		Installed: []sdk.Installed{{ID: "KB5042881", Name: "KB5042881", Version: "KB5042881"}},
		Available: []sdk.Update{
			{ID: "KB2267602", Name: "KB2267602", To: "KB2267602", KB: "KB2267602", Classification: "definition", CVEs: []string{}, ReleasedAt: day("2024-10-17"),
				Title: "Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.419.510.0) - Current Channel (Broad)"},
			{ID: "KB5044035", Name: "KB5044035", To: "KB5044035", KB: "KB5044035", Classification: "security", Severity: "Important",
				CVEs: []string{"CVE-2024-43483", "CVE-2024-43484"}, ReleasedAt: day("2024-10-08"),
				Title: "2024-10 Cumulative Update for .NET Framework 3.5 and 4.8.1 for Microsoft server operating system version 21H2 for x64 (KB5044035)"},
			{ID: "KB5044281", Name: "KB5044281", To: "KB5044281", KB: "KB5044281", Classification: "security", Severity: "Critical",
				CVEs: []string{"CVE-2024-38124", "CVE-2024-43572", "CVE-2024-43573", "CVE-2024-43582", "CVE-2024-43583"}, ReleasedAt: day("2024-10-08"), RebootRequired: true,
				Title: "2024-10 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5044281)"},
			{ID: "KB890830", Name: "KB890830", To: "KB890830", KB: "KB890830", Classification: "updaterollup", CVEs: []string{}, ReleasedAt: day("2024-10-08"),
				Title: "Windows Malicious Software Removal Tool x64 - v5.129 (KB890830)"},
		},
	}
	if diff := cmp.Diff(want, inv); diff != "" {
		t.Errorf("inventory (-want +got):\n%s", diff)
	}
	if len(rec.cmds) != 1 || scriptOf(t, rec.cmds[0]) != "scan.ps1" {
		t.Fatalf("commands: %v", rec.cmds)
	}
	if got := string(rec.cmds[0].Stdin); got != `{"server_selection":0,"service_id":""}` {
		t.Errorf("stdin = %s", got)
	}
	if rec.cmds[0].Timeout != windowsupdate.ScanTimeout {
		t.Errorf("timeout = %s", rec.cmds[0].Timeout)
	}
}

// TestScanParams: the provider block's search settings reach the script.
func TestScanParams(t *testing.T) {
	for _, tc := range []struct {
		config map[string]any
		stdin  string
	}{
		{map[string]any{"server_selection": "managed_server"}, `{"server_selection":1,"service_id":""}`},
		{map[string]any{"server_selection": "windows_update"}, `{"server_selection":2,"service_id":""}`},
		{map[string]any{"service_id": windowsupdate.MicrosoftUpdateServiceID}, `{"server_selection":3,"service_id":"7971f918-a847-4430-9279-4a52d1efe18d"}`},
	} {
		cfg, err := windowsupdate.ParseConfig(tc.config)
		if err != nil {
			t.Fatal(err)
		}
		rec := &recorder{next: host(t, "wsus-subset")}
		inv, _, err := windowsupdate.Scan(context.Background(), rec, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(rec.cmds[0].Stdin); got != tc.stdin {
			t.Errorf("%v: stdin = %s, want %s", tc.config, got, tc.stdin)
		}
		if len(inv.Available) != 2 {
			t.Errorf("WSUS subset: %d available, want the 2 approved", len(inv.Available))
		}
	}
}

func TestScanStates(t *testing.T) {
	inv, _, err := windowsupdate.Scan(context.Background(), host(t, "pending-reboot"), windowsupdate.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !inv.PendingReboot || len(inv.Installed) != 2 || len(inv.Available) != 1 {
		t.Errorf("pending-reboot: %+v", inv)
	}
	inv, _, err = windowsupdate.Scan(context.Background(), host(t, "empty"), windowsupdate.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.PendingReboot || inv.Installed == nil || inv.Available == nil || len(inv.Installed)+len(inv.Available) != 0 {
		t.Errorf("empty: %+v", inv)
	}
	inv, _, err = windowsupdate.Scan(context.Background(), host(t, "eula"), windowsupdate.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, u := range inv.Available {
		ids = append(ids, u.ID+"/"+u.Classification+"/"+u.KB)
	}
	// The feature update has no KB: its update id names it.
	if diff := cmp.Diff([]string{"9e1c3a5b-7d9f-4b2c-8e4a-6c8e0a2b4d08/upgrade/", "KB5044285/security/KB5044285", "KB890830/updaterollup/KB890830"}, ids); diff != "" {
		t.Errorf("eula ids (-want +got):\n%s", diff)
	}
}

func TestInventoryMapping(t *testing.T) {
	doc := &windowsupdate.ScanDocument{Updates: []windowsupdate.ScanUpdate{
		{UpdateID: "a", KB: []string{"KB1"}, Title: "one", Categories: []string{"Windows Server 2022", "Critical Updates"}, CVEs: []string{"CVE-1"}, RebootBehavior: windowsupdate.NeverReboots, Released: "2024-10-08T00:00:00Z"},
		{UpdateID: "b", KB: []string{"KB1"}, Title: "one for another product", Categories: []string{"Critical Updates"}, MsrcSeverity: "Important", CVEs: []string{"CVE-1", "CVE-2"}, RebootBehavior: windowsupdate.AlwaysRequiresReboot, Released: "2024-10-01T00:00:00Z"},
		{UpdateID: "c", Title: "a driver", Categories: []string{"Drivers"}, RebootBehavior: windowsupdate.CanRequestReboot, Released: "10/8/2024"},
		{UpdateID: "d", KB: []string{"KB2"}, Title: "installed twice", IsInstalled: true},
		{UpdateID: "e", KB: []string{"KB2"}, Title: "installed twice", IsInstalled: true},
		{Title: "nameless"},
	}}
	inv, warns := windowsupdate.Inventory(doc)
	want := []sdk.Update{
		{ID: "KB1", Name: "KB1", To: "KB1", KB: "KB1", Classification: "critical", Severity: "Important", CVEs: []string{"CVE-1", "CVE-2"},
			ReleasedAt: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC), RebootRequired: true, Title: "one"}, // the first title of the KB
		{ID: "c", Name: "c", To: "c", Classification: "driver", CVEs: []string{}, RebootRequired: true, Title: "a driver"},
	}
	if diff := cmp.Diff(want, inv.Available); diff != "" {
		t.Errorf("available (-want +got):\n%s", diff)
	}
	if len(inv.Installed) != 1 {
		t.Errorf("installed: %+v", inv.Installed)
	}
	if len(warns) != 2 || !strings.Contains(warns[0], `released "10/8/2024"`) || !strings.Contains(warns[1], "nameless") {
		t.Errorf("warnings: %q", warns)
	}
}

func TestClassification(t *testing.T) {
	for cats, want := range map[string]string{
		"Security Updates":                     "security",
		"Windows 11|Critical Updates":          "critical",
		"Definition Updates|Updates":           "definition",
		"Update Rollups":                       "updaterollup",
		"Service Packs":                        "servicepack",
		"Feature Packs":                        "featurepack",
		"Tools":                                "tool",
		"Drivers":                              "driver",
		"Upgrades":                             "upgrade",
		"Updates":                              "update",
		"Microsoft Defender Antivirus":         "",
		"Windows Server 2022|Security Updates": "security",
	} {
		if got := windowsupdate.Classification(strings.Split(cats, "|")); got != want {
			t.Errorf("%s: %q, want %q", cats, got, want)
		}
	}
}

// TestScanErrors: what the script reports or fails to print reaches the
// user as a clear error.
func TestScanErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  sdk.Result
		err  error
		want string
	}{
		{"com error", sdk.Result{ExitCode: 1, Stdout: []byte(`{"error":{"message":"Exception from HRESULT: 0x8024402C","type":"System.Runtime.InteropServices.COMException","hresult":-2145107924,"line":18}}`)},
			nil, "HRESULT 0x8024402C WU_E_PT_WINHTTP_NAME_NOT_RESOLVED"},
		{"not json", sdk.Result{Stdout: []byte("New-Object : Retrieving the COM class factory failed")}, nil, "windowsupdate/scan.ps1: not JSON"},
		{"truncated", sdk.Result{Stdout: []byte(`{"reboot_pending":false,"updates":[{"update_id":"5b0e`)}, nil, "windowsupdate/scan.ps1: truncated JSON"},
		{"exit", sdk.Result{ExitCode: 255, Stderr: []byte("powershell.exe is not recognized as an internal or external command")}, nil, "windowsupdate/scan.ps1: exit status 255"},
		{"timeout", sdk.Result{}, context.DeadlineExceeded, "windowsupdate/scan.ps1 did not finish within 45m0s"},
		{"wrong shape", sdk.Result{Stdout: []byte(`{"reboot_pending":"no","updates":[]}`)}, nil, "cannot unmarshal string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runnerFunc(func(sdk.Cmd) (sdk.Result, error) { return tc.res, tc.err })
			_, _, err := windowsupdate.Scan(context.Background(), r, windowsupdate.Config{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestCommandLineLength: each script's command line fits the shortest
// Windows limit it may meet: 8,191 characters, cmd.exe's, when OpenSSH's
// default shell on the host is cmd.exe (CreateProcess allows 32,767); the
// figure is logged.
func TestCommandLineLength(t *testing.T) {
	for _, s := range []struct {
		name, encoded string
	}{{"scan", encoded(windowsupdate.ScanScript)}, {"apply", encoded(windowsupdate.ApplyScript)}} {
		n := len("powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ") + len(s.encoded)
		t.Logf("%s: %d characters", s.name, n)
		if n >= 8191 {
			t.Errorf("%s: the command line has %d characters, over cmd.exe's 8,191", s.name, n)
		}
	}
}

// TestScriptsAreFiles: the embedded scripts are the files under scripts/,
// which the grammar test parses.
func TestScriptsAreFiles(t *testing.T) {
	for file, src := range map[string]string{"scan.ps1": windowsupdate.ScanScript.Source, "apply.ps1": windowsupdate.ApplyScript.Source} {
		b, err := os.ReadFile(filepath.Join("scripts", file))
		if err != nil || string(b) != src {
			t.Errorf("%s: embedded script differs from the file (%v)", file, err)
		}
	}
}
