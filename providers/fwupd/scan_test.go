package fwupd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
)

// The fixtures in testdata/fwupd-2.0.20 were recorded from the real fwupd
// 2.0.20 of Debian 12 (as fwupdtest starts it: the test plugin's webcam,
// a directory remote with a cabinet of release 1.2.4, urgency high), with
// the lab's directory replaced by /srv/firmware:
//
//	devices.json, updates.json, updates.txt   before the update
//	devices-after.json, updates-after.json    after fwupdmgr install
//	devices-needs-reboot.json,
//	updates-needs-reboot.json                 after it, with NeedsReboot=true
//	install-missing.json                      fwupdmgr install of a release that does not exist
const webcamID = "08d460be0f1f9f128413f816022a6439e0078018"

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fwupd-2.0.20", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureRunner answers fwupdmgr's subcommands from fixture files and
// records the command lines.
type fixtureRunner struct {
	t     *testing.T
	files map[string]string // subcommand (get-devices, get-updates, get-updates-text, install) → fixture
	exit  map[string]int
	argvs [][]string
}

func (f *fixtureRunner) Run(_ context.Context, c sdk.Cmd) (sdk.Result, error) {
	f.argvs = append(f.argvs, c.Argv)
	if c.Argv[0] != Program {
		return sdk.Result{}, fmt.Errorf("not fwupdmgr: %q", c.Argv)
	}
	key := c.Argv[1]
	if key == "get-updates" && !strings.Contains(strings.Join(c.Argv, " "), "--json") {
		key = "get-updates-text"
	}
	if !reflect.DeepEqual(c.Env, []string{"LC_ALL=C.UTF-8"}) {
		f.t.Errorf("%q runs without LC_ALL=C.UTF-8: env %q", c.Argv, c.Env)
	}
	name, ok := f.files[key]
	if !ok {
		return sdk.Result{}, fmt.Errorf("no fixture for %q", c.Argv)
	}
	var out []byte
	if name != "" {
		out = fixture(f.t, name)
	}
	return sdk.Result{Stdout: out, ExitCode: f.exit[key]}, nil
}

func TestScanFixtures(t *testing.T) {
	f := &fixtureRunner{t: t, files: map[string]string{"get-devices": "devices.json", "get-updates": "updates.json", "get-updates-text": "updates.txt"}}
	inv, warns, err := Scan(context.Background(), f, Config{}, nil)
	if err != nil || len(warns) != 0 {
		t.Fatalf("Scan: %v, %q", err, warns)
	}
	wantInstalled := []sdk.Installed{{ID: webcamID, Name: "ACME Corp. Integrated Webcam™", Version: "1.2.2"}}
	if !reflect.DeepEqual(inv.Installed, wantInstalled) {
		t.Errorf("installed = %+v (the CPU has no version and is not listed)", inv.Installed)
	}
	want := sdk.Update{ID: webcamID, Name: "ACME Corp. Integrated Webcam™", From: "1.2.2", To: "1.2.4",
		Classification: "firmware", Severity: "high", CVEs: []string{}, ReleasedAt: time.Unix(1795651200, 0).UTC()}
	if len(inv.Available) != 1 || !equalUpdate(inv.Available[0], want) {
		t.Errorf("available = %+v, want %+v", inv.Available, want)
	}
	if inv.PendingReboot {
		t.Error("pending reboot")
	}
	wantArgv := [][]string{
		{"fwupdmgr", "get-devices", "--json", "--no-unreported-check", "--no-metadata-check", "--no-remote-check"},
		{"fwupdmgr", "get-updates", "--json", "--no-unreported-check", "--no-metadata-check", "--no-remote-check"},
		{"fwupdmgr", "get-updates", "--no-unreported-check", "--no-metadata-check", "--no-remote-check"},
	}
	if !reflect.DeepEqual(f.argvs, wantArgv) {
		t.Errorf("argv = %q", f.argvs)
	}
}

// TestScanNothingToDo: fwupdmgr get-updates exits 2 when no device has an
// update (as older fwupd do); that is an empty list, not an error.
func TestScanNothingToDo(t *testing.T) {
	f := &fixtureRunner{t: t, files: map[string]string{"get-devices": "devices-after.json", "get-updates": ""}, exit: map[string]int{"get-updates": 2}}
	inv, warns, err := Scan(context.Background(), f, Config{}, nil)
	if err != nil || len(warns) != 0 || len(inv.Available) != 0 || inv.Installed[0].Version != "1.2.4" {
		t.Fatalf("Scan: %v, %q, %+v", err, warns, inv)
	}
	f = &fixtureRunner{t: t, files: map[string]string{"get-devices": "devices-after.json", "get-updates": "updates-after.json"}}
	if inv, _, err := Scan(context.Background(), f, Config{}, nil); err != nil || len(inv.Available) != 0 {
		t.Fatalf("Scan after the update: %v, %+v", err, inv)
	}
}

func TestScanNeedsReboot(t *testing.T) {
	f := &fixtureRunner{t: t, files: map[string]string{"get-devices": "devices-needs-reboot.json", "get-updates": "updates-needs-reboot.json", "get-updates-text": "updates.txt"}}
	inv, warns, err := Scan(context.Background(), f, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !inv.PendingReboot || len(inv.Available) != 0 {
		t.Errorf("pending reboot %v, available %+v", inv.PendingReboot, inv.Available)
	}
	want := []string{"ACME Corp. Integrated Webcam™: firmware 1.2.4 not applicable, not planned: an earlier update waits for a reboot"}
	if !reflect.DeepEqual(warns, want) {
		t.Errorf("warnings = %q", warns)
	}
}

func TestScanError(t *testing.T) {
	f := &fixtureRunner{t: t, files: map[string]string{"get-devices": "install-missing.json"}, exit: map[string]int{"get-devices": 1}}
	_, _, err := Scan(context.Background(), f, Config{}, nil)
	if err == nil || !strings.Contains(err.Error(), "Unable to locate release 1.2.9 for Integrated Webcam™") {
		t.Errorf("err = %v, want fwupd's message", err)
	}
}

func TestNotApplicable(t *testing.T) {
	n := func(i int) *int { return &i }
	for _, c := range []struct {
		d    deviceDoc
		want string
	}{
		{deviceDoc{Flags: []string{"updatable"}}, ""},
		{deviceDoc{Flags: []string{"updatable", "needs-reboot"}}, ""}, // a capsule update: reboot_required, nothing pending
		{deviceDoc{Flags: []string{"updatable-hidden"}}, "fwupd cannot update it while the system runs (not updatable)"},
		{deviceDoc{Flags: []string{"updatable", "needs-activation"}}, "an earlier update waits to be activated (fwupdmgr activate)"},
		{deviceDoc{Flags: []string{"updatable", "needs-shutdown"}, UpdateState: updateStateNeedsReboot}, "an earlier update waits for a reboot"},
		{deviceDoc{Flags: []string{"updatable"}, Problems: []string{"require-ac-power", "lid-is-closed"}}, "it needs AC power connected; the laptop lid is closed"},
		{deviceDoc{Flags: []string{"updatable"}, Problems: []string{"new-problem"}}, "fwupd reports the problem new-problem"},
		{deviceDoc{Flags: []string{"updatable"}, BatteryLevel: n(10), BatteryThreshold: n(30)}, "the battery is at 10%, below the 30% the update needs"},
		{deviceDoc{Flags: []string{"updatable"}, BatteryLevel: n(80), BatteryThreshold: n(30)}, ""},
		{deviceDoc{Flags: []string{"updatable"}, RequestFlags: []string{"allow-generic-message", "non-generic-request"}}, "the update asks a person to act on the device (replug it, press a button)"},
		{deviceDoc{Flags: []string{"updatable"}, UpdateError: "battery level is too low"}, "fwupd: battery level is too low"},
	} {
		if got := c.d.notApplicable(false); got != c.want {
			t.Errorf("%+v: %q, want %q", c.d, got, c.want)
		}
	}
}

func TestRequireUsableDuringUpdate(t *testing.T) {
	d := deviceDoc{Flags: []string{"updatable"}}
	if got, want := d.notApplicable(true), "it cannot be used while it updates (not usable-during-update; require_usable_during_update = true)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	d.Flags = append(d.Flags, "usable-during-update")
	if got := d.notApplicable(true); got != "" {
		t.Errorf("a usable device: %q", got)
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig(map[string]any{"refresh": true, "require_usable_during_update": true, "x": nil})
	if err != nil || !cfg.Refresh || !cfg.RequireUsableDuringUpdate {
		t.Errorf("%+v, %v", cfg, err)
	}
	if _, err := ParseConfig(map[string]any{"refesh": true}); err == nil || !strings.Contains(err.Error(), `unknown attribute "refesh"`) {
		t.Errorf("a typo: %v", err)
	}
	if _, err := ParseConfig(map[string]any{"refresh": "yes"}); err == nil || err.Error() != "refresh: want a bool, got string" {
		t.Errorf("a string: %v", err)
	}
}

func TestNames(t *testing.T) {
	devs := []deviceDoc{
		{DeviceID: "aaaaaaaaaaaa", Vendor: "Lenovo", Name: "ThinkPad Dock"},
		{DeviceID: "bbbbbbbbbbbb", Vendor: "Lenovo", Name: "ThinkPad Dock"},
		{DeviceID: "cccc", Vendor: "Dell Inc.", Name: "Dell Inc. System Firmware"},
		{DeviceID: "dddd", Name: "UEFI dbx"},
		{DeviceID: "eeee"},
	}
	want := map[string]string{
		"aaaaaaaaaaaa": "Lenovo ThinkPad Dock #aaaaaaaa",
		"bbbbbbbbbbbb": "Lenovo ThinkPad Dock #bbbbbbbb",
		"cccc":         "Dell Inc. System Firmware",
		"dddd":         "UEFI dbx",
		"eeee":         "eeee",
	}
	if got := names(devs); !reflect.DeepEqual(got, want) {
		t.Errorf("names = %q", got)
	}
}

func TestTextUrgencies(t *testing.T) {
	got := textUrgencies(fixture(t, "updates.txt"))
	if want := map[string]string{webcamID + " 1.2.4": "high"}; !reflect.DeepEqual(got, want) {
		t.Errorf("urgencies = %q", got)
	}
}

func TestNewest(t *testing.T) {
	d := deviceDoc{Version: "1.2.2", Releases: []releaseDoc{
		{Version: "1.2.3"}, {Version: "1.2.10"}, {Version: "1.2.1"}, {Version: "1.2.9", Flags: []string{"is-upgrade"}},
	}}
	if rel, ok := newest(d); !ok || rel.Version != "1.2.10" {
		t.Errorf("newest = %q, %v; want 1.2.10 (fwupd's order, not the strings')", rel.Version, ok)
	}
	if _, ok := newest(deviceDoc{Version: "2", Releases: []releaseDoc{{Version: "1"}}}); ok {
		t.Error("a downgrade was taken as an update")
	}
}
