package winget

import (
	"fmt"

	"github.com/tend-sh/tend/plugins/sdk"
)

// ValidateConfig checks a provider block and the policies' pins without
// touching a host: the block must parse, and every pin must name a winget
// package id and version as the winget-pkgs manifest schema defines them.
func ValidateConfig(cfg map[string]any, pins []sdk.Pin) []sdk.Diagnostic {
	var out []sdk.Diagnostic
	if _, err := ParseConfig(cfg); err != nil {
		out = append(out, sdk.Diagnostic{Severity: sdk.SeverityError, Summary: "Invalid winget provider configuration", Detail: err.Error()})
	}
	for _, p := range pins {
		if !idPattern.MatchString(p.Package) {
			out = append(out, sdk.Diagnostic{Severity: sdk.SeverityError, PinID: p.ID, AboutPackage: true,
				Summary: "Invalid package id",
				Detail:  fmt.Sprintf("%q is not a winget package id: two to eight dot-separated parts (Publisher.Package, as Google.Chrome) without blanks or \\/:*?\"<>|", p.Package)})
		}
		if !versionPattern.MatchString(p.Version) {
			out = append(out, sdk.Diagnostic{Severity: sdk.SeverityError, PinID: p.ID,
				Summary: "Invalid version",
				Detail:  fmt.Sprintf("pin %s: %q is not a winget package version (up to 128 characters without \\/:*?\"<>|)", p.Package, p.Version)})
		}
	}
	return out
}
