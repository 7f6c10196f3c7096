package fwupd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/transport/local"
	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/fwupd/fwupdtest"
)

// labRunner runs commands on this machine with the lab's environment, as
// tend's local transport does for a tend started with it.
type labRunner struct{ env []string }

func (r labRunner) Run(ctx context.Context, c sdk.Cmd) (sdk.Result, error) {
	c.Env = append(append([]string{}, r.env...), c.Env...)
	return local.Runner{}.Run(ctx, c)
}

// startLab starts a real fwupd for the test and stops it afterwards, or
// skips the test where fwupd cannot run.
func startLab(t *testing.T, o fwupdtest.Options) *fwupdtest.Lab {
	t.Helper()
	if err := fwupdtest.Available(); err != nil {
		t.Skip("no real fwupd here: ", err)
	}
	lab, err := fwupdtest.Start(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lab.Stop)
	return lab
}

func webcam(t *testing.T, inv *sdk.Inventory) sdk.Installed {
	t.Helper()
	for _, i := range inv.Installed {
		if i.ID == fwupdtest.WebcamID {
			return i
		}
	}
	t.Fatalf("the webcam is not installed: %+v", inv.Installed)
	return sdk.Installed{}
}

// TestRealUpdate: the scan of a real fwupd offers the cabinet's release
// with its urgency; Apply installs it and fwupd reports the new version;
// the next scan offers nothing.
func TestRealUpdate(t *testing.T) {
	released := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	lab := startLab(t, fwupdtest.Options{Releases: []fwupdtest.Release{{Version: "1.2.4", Urgency: "high", Created: released}}})
	r := labRunner{env: lab.Env}
	ctx := context.Background()

	inv, warns, err := Scan(ctx, r, Config{Refresh: true}, []string{fwupdtest.WebcamName})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %q", warns)
	}
	if w := webcam(t, inv); w.Name != fwupdtest.WebcamName || w.Version != "1.2.2" {
		t.Errorf("webcam = %+v", w)
	}
	want := sdk.Update{ID: fwupdtest.WebcamID, Name: fwupdtest.WebcamName, From: "1.2.2", To: "1.2.4",
		Classification: "firmware", Severity: "high", CVEs: []string{}, ReleasedAt: released}
	if len(inv.Available) != 1 || !equalUpdate(inv.Available[0], want) {
		t.Fatalf("available = %+v, want [%+v]", inv.Available, want)
	}
	if got := inv.Versions[fwupdtest.WebcamName]; len(got) != 1 || got[0] != "1.2.4" {
		t.Errorf("versions of the pinned webcam = %q, want [1.2.4]", got)
	}

	var progress []string
	res, err := Apply(ctx, r, Config{}, []sdk.Action{
		{ID: "lab/fwupd/webcam", Type: sdk.ActionUpgrade, Package: fwupdtest.WebcamName, From: "1.2.2", To: "1.2.4"},
		{ID: "lab/fwupd/none", Type: sdk.ActionUpgrade, Package: "ACME Corp. No Such Device", From: "1", To: "2"},
	}, func(p sdk.Progress) { progress = append(progress, p.Message) })
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != sdk.StatusSucceeded || res[0].Message != "" {
		t.Errorf("webcam: %+v", res[0])
	}
	if res[1].Status != sdk.StatusFailed || !strings.Contains(res[1].Message, `fwupd knows no device "ACME Corp. No Such Device"`) {
		t.Errorf("unknown device: %+v", res[1])
	}
	if len(progress) != 1 || !strings.Contains(progress[0], "installing firmware 1.2.4 on "+fwupdtest.WebcamName) {
		t.Errorf("progress = %q", progress)
	}
	out, err := lab.Fwupdmgr("get-devices", "--json")
	if err != nil || !strings.Contains(string(out), `"Version" : "1.2.4"`) {
		t.Errorf("fwupd does not report 1.2.4 after the update: %v\n%s", err, out)
	}

	inv, warns, err = Scan(ctx, r, Config{}, nil)
	if err != nil || len(warns) != 0 {
		t.Fatalf("second scan: %v, %q", err, warns)
	}
	if w := webcam(t, inv); w.Version != "1.2.4" {
		t.Errorf("after the update the webcam is at %s", w.Version)
	}
	if len(inv.Available) != 0 || inv.PendingReboot {
		t.Errorf("after the update: available %+v, pending reboot %v", inv.Available, inv.PendingReboot)
	}

	// A planned version that is not the device's any more: nothing runs.
	res, _ = Apply(ctx, r, Config{}, []sdk.Action{{ID: "lab/fwupd/webcam", Type: sdk.ActionUpgrade, Package: fwupdtest.WebcamName, From: "1.2.2", To: "1.2.4"}}, func(sdk.Progress) {})
	if res[0].Status != sdk.StatusFailed || !strings.Contains(res[0].Message, "is at version 1.2.4 now, not 1.2.2 as planned") {
		t.Errorf("stale action: %+v", res[0])
	}
}

// TestRealNeedsReboot: a device that finishes its update at the next
// reboot succeeds with the reboot pending; the next scan reports the
// pending reboot and does not offer the release again.
func TestRealNeedsReboot(t *testing.T) {
	lab := startLab(t, fwupdtest.Options{NeedsReboot: true, Releases: []fwupdtest.Release{{Version: "1.2.4", Urgency: "critical"}}})
	r := labRunner{env: lab.Env}
	ctx := context.Background()
	inv, _, err := Scan(ctx, r, Config{}, nil)
	if err != nil || len(inv.Available) != 1 || inv.Available[0].Severity != "critical" {
		t.Fatalf("scan: %v, %+v", err, inv)
	}
	res, err := Apply(ctx, r, Config{}, []sdk.Action{{ID: "lab/fwupd/webcam", Type: sdk.ActionUpgrade, Package: fwupdtest.WebcamName, From: "1.2.2", To: "1.2.4"}}, func(sdk.Progress) {})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != sdk.StatusSucceeded || !strings.Contains(res[0].Message, "runs 1.2.2 until the next reboot") {
		t.Errorf("result: %+v", res[0])
	}
	inv, warns, err := Scan(ctx, r, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !inv.PendingReboot || len(inv.Available) != 0 {
		t.Errorf("after the update: pending reboot %v, available %+v", inv.PendingReboot, inv.Available)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], fwupdtest.WebcamName+": firmware 1.2.4 not applicable, not planned: an earlier update waits for a reboot") {
		t.Errorf("warnings = %q", warns)
	}
	// Apply refuses it too, without running fwupdmgr install.
	res, _ = Apply(ctx, r, Config{}, []sdk.Action{{ID: "lab/fwupd/webcam", Type: sdk.ActionUpgrade, Package: fwupdtest.WebcamName, From: "1.2.2", To: "1.2.4"}}, func(sdk.Progress) {})
	if res[0].Status != sdk.StatusFailed || !strings.Contains(res[0].Message, "not applicable, not installed: an earlier update waits for a reboot") {
		t.Errorf("second apply: %+v", res[0])
	}
}

func equalUpdate(a, b sdk.Update) bool {
	return a.ID == b.ID && a.Name == b.Name && a.From == b.From && a.To == b.To && a.Classification == b.Classification &&
		a.Severity == b.Severity && strings.Join(a.CVEs, ",") == strings.Join(b.CVEs, ",") && a.ReleasedAt.Equal(b.ReleasedAt) &&
		a.RebootRequired == b.RebootRequired && a.KB == b.KB
}

// TestRealRebootRequired: a device fwupd flags needs-reboot (here by a
// quirk, as its plugins flag real ones) offers an update that requires a
// reboot. (The test plugin then writes it live and drops the flag, so
// fwupd reports the new version at once.)
func TestRealRebootRequired(t *testing.T) {
	lab := startLab(t, fwupdtest.Options{Flags: []string{"needs-reboot"}, Releases: []fwupdtest.Release{{Version: "1.2.4", Urgency: "medium"}}})
	r := labRunner{env: lab.Env}
	ctx := context.Background()
	inv, _, err := Scan(ctx, r, Config{}, nil)
	if err != nil || len(inv.Available) != 1 || !inv.Available[0].RebootRequired || inv.Available[0].Severity != "medium" {
		t.Fatalf("scan: %v, %+v", err, inv)
	}
	res, err := Apply(ctx, r, Config{}, []sdk.Action{{ID: "lab/fwupd/webcam", Type: sdk.ActionUpgrade, Package: fwupdtest.WebcamName, From: "1.2.2", To: "1.2.4"}}, func(sdk.Progress) {})
	if err != nil || res[0].Status != sdk.StatusSucceeded {
		t.Fatalf("apply: %v, %+v", err, res)
	}
	inv, _, err = Scan(ctx, r, Config{}, nil)
	if err != nil || len(inv.Available) != 0 || webcam(t, inv).Version != "1.2.4" {
		t.Errorf("after the update: %v, %+v", err, inv)
	}
}

// TestRealRequireUsableDuringUpdate: with require_usable_during_update,
// the webcam (which fwupd does not flag usable-during-update) is not
// planned; flagged so by a quirk, it is.
func TestRealRequireUsableDuringUpdate(t *testing.T) {
	ctx := context.Background()
	cfg := Config{RequireUsableDuringUpdate: true}
	lab := startLab(t, fwupdtest.Options{Releases: []fwupdtest.Release{{Version: "1.2.4"}}})
	inv, warns, err := Scan(ctx, labRunner{env: lab.Env}, cfg, nil)
	if err != nil || len(inv.Available) != 0 || len(warns) != 1 || !strings.Contains(warns[0], "not applicable, not planned: it cannot be used while it updates") {
		t.Errorf("without the flag: %v, %+v, %q", err, inv.Available, warns)
	}
	res, _ := Apply(ctx, labRunner{env: lab.Env}, cfg, []sdk.Action{{ID: "lab/fwupd/webcam", Type: sdk.ActionUpgrade, Package: fwupdtest.WebcamName, From: "1.2.2", To: "1.2.4"}}, func(sdk.Progress) {})
	if res[0].Status != sdk.StatusFailed || !strings.Contains(res[0].Message, "not applicable, not installed: it cannot be used while it updates") {
		t.Errorf("apply without the flag: %+v", res[0])
	}
	lab.Stop()
	lab = startLab(t, fwupdtest.Options{Flags: []string{"usable-during-update"}, Releases: []fwupdtest.Release{{Version: "1.2.4"}}})
	inv, warns, err = Scan(ctx, labRunner{env: lab.Env}, cfg, nil)
	if err != nil || len(inv.Available) != 1 || len(warns) != 0 || inv.Available[0].Severity != "" {
		t.Errorf("with the flag: %v, %+v, %q", err, inv.Available, warns)
	}
}
