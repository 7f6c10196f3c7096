package version

import (
	"reflect"
	"testing"
)

// TestCompareWinget: the cases of winget's own tests
// (microsoft/winget-cli src/AppInstallerCLITests/Versions.cpp at fa3d9e5:
// VersionCompare, VersionLatest, VersionUnknown,
// VersionUnknownLessThanLatest, ApproximateVersionCompare), then versions
// of real winget-pkgs manifests.
func TestCompareWinget(t *testing.T) {
	runCompare(t, Winget, []compareCase{
		// VersionCompare
		{"1", "2", -1},
		{"1.0.0", "2.0.0", -1},
		{"0.0.1", "0.0.2", -1},
		{"0.0.1-alpha", "0.0.2-alpha", -1},
		{"0.0.1-beta", "0.0.2-alpha", -1},
		{"13.9.8", "14.1", -1},
		{"1-rc", "1", -1},
		{"1.2-rc", "1.2", -1},
		{"1.0-rc", "1.0", -1},
		{"1.0.0-rc", "1", -1},
		{"22.0.0-rc.1", "22.0.0", -1},
		{"22.0.0-rc.1", "22.0.0.1", -1},
		{"22.0.0-rc.1", "22.0.0.1-rc", -1},
		{"22.0.0-rc.1", "22.0.0-rc.1.1", -1},
		{"22.0.0-rc.1.1", "22.0.0-rc.1.2", -1},
		{"22.0.0-rc.1.2", "22.0.0-rc.2", -1},
		{"1.0", "1.0.0", 0},
		{"1.2.00.3", "1.2.0.3", 0},
		{"1.2.003.4", "1.2.3.4", 0},
		{"01.02.03.04", "1.2.3.4", 0},
		{"1.2.03-beta", "1.2.3-beta", 0},
		{"1.0", "1.0 ", 0},
		{"1.0", "1. 0", 0},
		{"1.0", "1.0.", 0},
		{"1.0", "Version 1.0", 0},
		{"foo1", "bar1", 0},
		{"v0.0.1", "0.0.2", -1},
		{"v0.0.1", "v0.0.2", -1},
		{"1.a2", "1.b1", -1},
		{"alpha", "beta", -1},
		// VersionLatest, VersionUnknown, VersionUnknownLessThanLatest
		{"1.0", "latest", -1},
		{"100", "latest", -1},
		{"943849587389754876.1", "latest", -1},
		{"latest", "LATEST", 0},
		{"unknown", "1.0", -1},
		{"unknown", "1.fork", -1},
		{"unknown", "UNKNOWN", 0},
		{"Unknown", "Latest", -1},
		// ApproximateVersionCompare
		{"< 1.0", "< 1.0", 0},
		{"< 1.0", "< 1.0.0", 0},
		{"> 1.0", "> 1.0", 0},
		{"> 1.0", "> 1.0.0", 0},
		{"< 1.0", "1.0", -1},
		{"< 1.0", "> 1.0", -1},
		{"1.0", "> 1.0", -1},
		{"0.9", "< 1.0", -1},
		{"> 1.0", "1.1", -1},
		{"< latest", "latest", -1},
		{"latest", "> latest", -1},
		{"9999", "< latest", -1},
		// Versions from winget-pkgs manifests (manifests/g/Google/Chrome,
		// m/Mozilla/Firefox, 7/7zip/7zip, z/Zoom/Zoom, a/Adobe/Acrobat/Reader/64-bit).
		{"131.0.6778.86", "131.0.6778.109", -1},
		{"131.0.6778.109", "132.0.6834.84", -1},
		{"132.0", "132.0.1", -1},
		{"24.08", "24.09", -1},
		{"6.3.0.52884", "6.3.11.60501", -1},
		{"24.004.20220", "24.005.20307", -1},
		{"24.005.20307", "24.5.20307", 0},
		// Text compares case-insensitively; a number too large for 64 bits
		// is text, which sorts below a part with the same (zero) number.
		{"1.0-RC", "1.0-rc", 0},
		{"1.0-Beta", "1.0-rc", -1},
		{"1.99999999999999999999", "1.0", -1},
		{"1.18446744073709551615", "1.18446744073709551614", 1},
		{"", "0", 0},
		{"", "0.0.1", -1},
	})
}

// TestParseWinget: winget's VersionParse* and VersionParseCorner cases, part
// by part.
func TestParseWinget(t *testing.T) {
	type part struct {
		n     uint64
		other string
	}
	for _, c := range []struct {
		v    string
		want []part
	}{
		{"1.2.3.4-alpha", []part{{1, ""}, {2, ""}, {3, ""}, {4, "-alpha"}}},
		{"1. 2.3 . 4 ", []part{{1, ""}, {2, ""}, {3, ""}, {4, ""}}},
		{"v1.2.3.4", []part{{1, ""}, {2, ""}, {3, ""}, {4, ""}}},
		{"", nil},
		{".", nil},
		{".0", nil},
		{".1", []part{{0, ""}, {1, ""}}},
		{"version", []part{{0, "version"}}},
		{". 1 ", []part{{0, ""}, {1, ""}}},
		{"v1.2a", []part{{1, ""}, {2, "a"}}},
	} {
		w, err := parseWinget(c.v)
		if err != nil {
			t.Errorf("parseWinget(%q): %v", c.v, err)
			continue
		}
		var got []part
		for _, p := range w.parts {
			got = append(got, part{p.integer, p.other})
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseWinget(%q) = %v, want %v", c.v, got, c.want)
		}
	}
}

// TestCompareWingetErrors: as winget's ApproximateVersionParse, an unknown
// version cannot be approximate.
func TestCompareWingetErrors(t *testing.T) {
	for _, v := range []string{"< Unknown", "> unknown"} {
		if _, err := Compare(Winget, v, "1.0"); err == nil {
			t.Errorf("Compare(winget, %q, 1.0): no error", v)
		}
	}
}
