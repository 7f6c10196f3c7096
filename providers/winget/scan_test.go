package winget

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tend-sh/tend/core/transport/ssh"
	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/internal/winscript"
)

// host answers the provider's commands as a Windows host would, checking
// each is exactly the script contract's command line.
type host struct {
	t       *testing.T
	answer  func(cmd sdk.Cmd) (sdk.Result, error)
	scripts []string // the names of the scripts run, in order
	stdin   []string
}

func (h *host) Run(_ context.Context, cmd sdk.Cmd) (sdk.Result, error) {
	h.t.Helper()
	flags := []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand"}
	if len(cmd.Argv) != len(flags)+1 || !cmp.Equal(cmd.Argv[:len(flags)], flags) {
		h.t.Fatalf("argv = %q, want %q and the encoded script", cmd.Argv, flags)
	}
	switch cmd.Argv[len(flags)] {
	case winscript.EncodeCommand(ScanScript.Text()):
		h.scripts = append(h.scripts, ScanScript.Name)
	case winscript.EncodeCommand(ApplyScript.Text()):
		h.scripts = append(h.scripts, ApplyScript.Name)
	default:
		h.t.Fatalf("-EncodedCommand is neither embedded script")
	}
	if len(cmd.Env) != 0 {
		h.t.Errorf("env = %q, want none", cmd.Env)
	}
	h.stdin = append(h.stdin, string(cmd.Stdin))
	return h.answer(cmd)
}

// document answers every command with the file's contents, exit 0.
func document(t *testing.T, file string) func(sdk.Cmd) (sdk.Result, error) {
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return func(sdk.Cmd) (sdk.Result, error) { return sdk.Result{Stdout: b}, nil }
}

func TestScanCommand(t *testing.T) {
	h := &host{t: t, answer: document(t, "scan/empty.json")}
	if _, _, err := Scan(context.Background(), h, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"winget/scan.ps1"}, h.scripts); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"{}"}, h.stdin); diff != "" {
		t.Errorf("stdin (-want +got):\n%s", diff)
	}
}

// TestScanFixtures: every scan fixture, and the inventory and warnings
// tend makes of it.
func TestScanFixtures(t *testing.T) {
	titles := map[string]string{"Google.Chrome": "Google Chrome", "Mozilla.Firefox": "Mozilla Firefox (x64 en-US)",
		"7zip.7zip": "7-Zip 24.08 (x64)", "Adobe.Acrobat.Reader.64-bit": "Adobe Acrobat (64-bit)"}
	up := func(id, from, to string) sdk.Update { // the title is winget's display name
		return sdk.Update{ID: id, Name: id, From: from, To: to, CVEs: []string{}, Title: titles[id]}
	}
	for _, c := range []struct {
		file      string
		pins      []string
		installed []string // id=version
		available []sdk.Update
		versions  map[string][]string
		warnings  []string // substrings, one per warning
	}{
		{file: "scan/upgrades.json",
			installed: []string{"Google.Chrome=131.0.6778.86", "Mozilla.Firefox=133.0", "7zip.7zip=24.08", "Adobe.Acrobat.Reader.64-bit=24.004.20272", "Notepad++.Notepad++=8.7.4"},
			available: []sdk.Update{
				up("Google.Chrome", "131.0.6778.86", "131.0.6778.109"),
				up("Mozilla.Firefox", "133.0", "133.0.3"),
				up("7zip.7zip", "24.08", "24.09"),
				up("Adobe.Acrobat.Reader.64-bit", "24.004.20272", "24.005.20320"),
			}},
		{file: "scan/pinned.json", pins: []string{"Mozilla.Firefox", "Google.Chrome"},
			installed: []string{"Notepad++.Notepad++=8.7.1", "Mozilla.Firefox=133.0"},
			available: []sdk.Update{up("Mozilla.Firefox", "133.0", "133.0.3")},
			versions:  map[string][]string{"Mozilla.Firefox": {"133.0.3", "133.0"}},
			warnings:  []string{"Notepad++.Notepad++: winget has version 8.7.4 (installed 8.7.1) but will not upgrade to it: the package is pinned in winget"}},
		{file: "scan/msstore.json", pins: []string{"9N0DX20HK701"},
			installed: []string{"9N0DX20HK701=1.21.3231.0", "Google.Chrome=131.0.6778.109"},
			available: []sdk.Update{},
			warnings:  []string{"9N0DX20HK701: a Microsoft Store app (source msstore)"}},
		{file: "scan/mismatch.json",
			installed: []string{"VideoLAN.VLC=3.0.20", "7zip.7zip=Unknown", `ARP\Machine\X64\Contoso Agent=5.2.1`},
			available: []sdk.Update{},
			warnings: []string{"VideoLAN.VLC: winget has version 3.0.21 (installed 3.0.20) but will not upgrade to it: the package is pinned in winget, its new installer is of a different type",
				"7zip.7zip: winget has version 24.09 but does not know the installed version (Unknown)"}},
		{file: "scan/empty.json", installed: nil, available: []sdk.Update{}},
	} {
		t.Run(c.file, func(t *testing.T) {
			inv, warns, err := Scan(context.Background(), &host{t: t, answer: document(t, c.file)}, c.pins)
			if err != nil {
				t.Fatal(err)
			}
			var installed []string
			for _, i := range inv.Installed {
				installed = append(installed, i.ID+"="+i.Version)
				if i.Name != i.ID {
					t.Errorf("installed %s has name %q: policies and plans name winget packages by id", i.ID, i.Name)
				}
			}
			if diff := cmp.Diff(c.installed, installed); diff != "" {
				t.Errorf("installed (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.available, inv.Available); diff != "" {
				t.Errorf("available (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.versions, inv.Versions); diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
			if len(warns) != len(c.warnings) {
				t.Fatalf("warnings = %q, want %d", warns, len(c.warnings))
			}
			for i, w := range c.warnings {
				if !strings.Contains(warns[i], w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, warns[i], w)
				}
			}
			if inv.Facts["os"] != "windows" {
				t.Errorf("facts = %v", inv.Facts)
			}
		})
	}
}

// TestScanErrors: what the script contract forbids fails the scan with an
// error that says what came back.
func TestScanErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		res  sdk.Result
		err  error
		want string
	}{
		{"not JSON", sdk.Result{Stdout: []byte("Import-Module : The specified module 'Microsoft.WinGet.Client' was not loaded")}, nil, "not JSON"},
		{"truncated", sdk.Result{Stdout: []byte(`{"packages": [{"id": "Google.Chrome"`)}, nil, "truncated JSON"},
		{"exit 1", sdk.Result{Stdout: []byte(`{"packages": []}`), ExitCode: 1}, nil, "exit status 1"},
		{"script error", sdk.Result{Stdout: []byte(`{"error": {"message": "Access is denied.", "type": "System.UnauthorizedAccessException", "hresult": -2147024891, "line": 22}}`), ExitCode: 1}, nil, "Access is denied. (HRESULT 0x80070005 E_ACCESSDENIED)"},
		{"no packages", sdk.Result{Stdout: []byte(`{}`)}, nil, `no "packages" list`},
		{"no id", sdk.Result{Stdout: []byte(`{"packages": [{"name": "x", "installed_version": "1"}]}`)}, nil, "has no id"},
		{"timeout", sdk.Result{}, context.DeadlineExceeded, "did not finish within 15m0s"},
		{"runner", sdk.Result{}, errors.New("ssh win_1: connection refused"), "connection refused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := &host{t: t, answer: func(sdk.Cmd) (sdk.Result, error) { return c.res, c.err }}
			_, _, err := Scan(context.Background(), h, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestInventoryDuplicate: a package winget lists twice is reported once,
// with a warning.
func TestInventoryDuplicate(t *testing.T) {
	p := packageDoc{ID: "Microsoft.VCRedist.2015+.x64", Name: "VC++", InstalledVersion: "14.40.33810.0"}
	q := p
	q.InstalledVersion = "14.38.33135.0"
	inv, warns := Inventory([]packageDoc{p, q}, nil)
	if len(inv.Installed) != 1 || inv.Installed[0].Version != "14.40.33810.0" || len(warns) != 1 || !strings.Contains(warns[0], "more than once") {
		t.Errorf("installed %v, warnings %q", inv.Installed, warns)
	}
}

// TestScriptsFitCmd: both scripts' command lines fit cmd.exe's limit, so
// they run on a host whose SSH shell is cmd (the default of OpenSSH on
// Windows), where every character counts once more for its ^ escape only
// when it is a cmd.exe metacharacter (base64 has none).
func TestScriptsFitCmd(t *testing.T) {
	for _, s := range []winscript.Script{ScanScript, ApplyScript} {
		cmd, err := winscript.Command(s, struct{}{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(strings.Join(cmd.Argv, " ")) + 4; n > ssh.MaxCmdLine {
			t.Errorf("%s: a command line of %d characters, over cmd.exe's %d", s.Name, n, ssh.MaxCmdLine)
		}
	}
}
