package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/version"
)

// schemeSnap is snap with its inventory reported by provider under scheme.
func schemeSnap(provider string, scheme version.Scheme, installed []string, updates ...model.Update) *model.Snapshot {
	s := snap("web_1", installed, updates...)
	inv := s.Providers["apt"]
	inv.VersionScheme = scheme
	s.Providers = map[string]*model.ProviderInventory{provider: inv}
	return s
}

// TestPinsFollowVersionScheme plans the same pins under different schemes:
// whether a pin is a downgrade is the provider's scheme's call, not
// Debian's.
func TestPinsFollowVersionScheme(t *testing.T) {
	_, unreadable := version.Compare(version.Semver, "1.9", "2.0.0")
	for _, tc := range []struct {
		name     string
		provider string
		pin      string // package = "version" of the policy's pin
		snap     *model.Snapshot
		want     []string
		warns    []string
	}{{
		name:     "semver: a pre-release of the installed version is a downgrade",
		provider: "winget", pin: `tool = "2.0.0-rc.1"`,
		snap: schemeSnap("winget", version.Semver, []string{"tool=2.0.0"}),
		want: []string{"downgrade tool 2.0.0->2.0.0-rc.1: pin tool = 2.0.0-rc.1 (availability not verified)", "reboot: none"},
	}, {
		name:     "debian: the same pin reads as an upgrade (2.0.0-rc.1 is revision rc.1 of 2.0.0)",
		provider: "winget", pin: `tool = "2.0.0-rc.1"`,
		snap: schemeSnap("winget", version.Debian, []string{"tool=2.0.0"}),
		want: []string{"upgrade tool 2.0.0->2.0.0-rc.1: pin tool = 2.0.0-rc.1 (availability not verified)", "reboot: none"},
	}, {
		name:     "no scheme declared is debian",
		provider: "winget", pin: `tool = "2.0.0-rc.1"`,
		snap: schemeSnap("winget", "", []string{"tool=2.0.0"}),
		want: []string{"upgrade tool 2.0.0->2.0.0-rc.1: pin tool = 2.0.0-rc.1 (availability not verified)", "reboot: none"},
	}, {
		name:     "dotted: a version with fewer segments is not older",
		provider: "fwupd", pin: `webcam = "1.2"`,
		snap: schemeSnap("fwupd", version.Dotted, []string{"webcam=1.2.0"}),
		want: []string{"upgrade webcam 1.2.0->1.2: pin webcam = 1.2 (availability not verified)", "reboot: none"},
	}, {
		name:     "debian: the same pin is a downgrade",
		provider: "fwupd", pin: `webcam = "1.2"`,
		snap: schemeSnap("fwupd", version.Debian, []string{"webcam=1.2.0"}),
		want: []string{"downgrade webcam 1.2.0->1.2: pin webcam = 1.2 (availability not verified)", "reboot: none"},
	}, {
		name:     "dotted: 10.0.9 is older than 10.0.10",
		provider: "fwupd", pin: `webcam = "10.0.9"`,
		snap: schemeSnap("fwupd", version.Dotted, []string{"webcam=10.0.10"}),
		want: []string{"downgrade webcam 10.0.10->10.0.9: pin webcam = 10.0.9 (availability not verified)", "reboot: none"},
	}, {
		name:     "opaque: a pin is never claimed older than what is installed",
		provider: "windowsupdate", pin: `servicing = "KB5034441"`,
		snap: schemeSnap("windowsupdate", version.Opaque, []string{"servicing=KB5044281"}),
		want: []string{"upgrade servicing KB5044281->KB5034441: pin servicing = KB5034441 (availability not verified)", "reboot: none"},
	}, {
		name:     "debian: the same pin is a downgrade",
		provider: "windowsupdate", pin: `servicing = "KB5034441"`,
		snap: schemeSnap("windowsupdate", version.Debian, []string{"servicing=KB5044281"}),
		want: []string{"downgrade servicing KB5044281->KB5034441: pin servicing = KB5034441 (availability not verified)", "reboot: none"},
	}, {
		name:     "opaque: a pin equal to the installed version holds it",
		provider: "windowsupdate", pin: `servicing = "KB5044281"`,
		snap: schemeSnap("windowsupdate", version.Opaque, []string{"servicing=KB5044281"}, other("servicing", "KB5044281", "KB5048667")),
		want: []string{"skipped servicing KB5048667: pinned to KB5044281", "reboot: none"},
	}, {
		name:     "opaque: a pin matches an available update by equality",
		provider: "windowsupdate", pin: `servicing = "KB5048667"`,
		snap: schemeSnap("windowsupdate", version.Opaque, []string{"servicing=KB5044281"}, other("servicing", "KB5044281", "KB5048667")),
		want: []string{"upgrade servicing KB5044281->KB5048667: pin servicing = KB5048667", "reboot: none"},
	}, {
		name:     "semver: a version the scheme cannot read is planned as an upgrade, with a warning",
		provider: "winget", pin: `tool = "1.9"`,
		snap:  schemeSnap("winget", version.Semver, []string{"tool=2.0.0"}),
		want:  []string{"upgrade tool 2.0.0->1.9: pin tool = 1.9 (availability not verified)", "reboot: none"},
		warns: []string{`host "web_1": winget pin tool = 1.9: ` + unreadable.Error() + "; it is planned as an upgrade from 2.0.0"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			src := oneHost + "\npolicy \"p\" {\n  provider = \"" + tc.provider + "\"\n  targets = [host.web_1]\n  pin = { " + tc.pin + " }\n}\n"
			pl, warns := Plan(Input{Config: loadConfig(t, src), Inventory: map[string]*model.Snapshot{"web_1": tc.snap}, Now: at(t, "2026-11-23T10:00:00Z")})
			if diff := cmp.Diff(tc.want, lines(host(t, pl, "web_1"))); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
			var gotWarns []string
			for _, w := range warns {
				gotWarns = append(gotWarns, w.Message)
			}
			if diff := cmp.Diff(tc.warns, gotWarns); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}
