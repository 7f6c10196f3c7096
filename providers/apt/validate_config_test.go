package apt

import (
	"strings"
	"testing"

	"github.com/tend-sh/tend/plugins/sdk"
)

func TestValidateConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  map[string]any
		pins []sdk.Pin
		want []string // "pinID/package?: summary: detail substring"
	}{
		{name: "good", cfg: map[string]any{"root": "/"},
			pins: []sdk.Pin{{ID: "a", Package: "nginx", Version: "1.22.1-9"}, {ID: "b", Package: "libstdc++6", Version: "1:12.2.0-14"}}},
		{name: "bad name", pins: []sdk.Pin{{ID: "a", Package: "Bad Name!", Version: "1.0"}},
			want: []string{`a/package: Invalid package name: "Bad Name!" is not a Debian package name`}},
		{name: "arch qualifier", pins: []sdk.Pin{{ID: "a", Package: "nginx:amd64", Version: "1.0"}},
			want: []string{`a/package: Invalid package name: "nginx:amd64" is not a Debian package name: it must be at least two characters of lower-case letters, digits, "+", "-" and ".", starting with a letter or digit (pins match packages by name: pin "nginx")`}},
		{name: "bad version", pins: []sdk.Pin{{ID: "a", Package: "nginx", Version: "not a version!"}},
			want: []string{`a/version: Invalid version: pin nginx: invalid Debian version "not a version!": version string has embedded spaces`}},
		{name: "bad config", cfg: map[string]any{"root": "relative", "colour": "red"},
			want: []string{`/version: Invalid apt provider configuration: unknown attribute "colour"`, `/version: Invalid apt provider configuration: root: "relative" is not an absolute path`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ValidateConfig(tc.cfg, tc.pins)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d diagnostics, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, d := range got {
				what := "version"
				if d.AboutPackage {
					what = "package"
				}
				line := d.PinID + "/" + what + ": " + d.Summary + ": " + d.Detail
				if !strings.HasPrefix(line, tc.want[i]) || d.Severity != sdk.SeverityError {
					t.Errorf("diagnostic %d = %s (%s)\nwant prefix %s", i, line, d.Severity, tc.want[i])
				}
			}
		})
	}
}
