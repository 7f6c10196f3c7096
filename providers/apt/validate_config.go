package apt

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/tend-sh/tend/core/debversion"
	"github.com/tend-sh/tend/plugins/sdk"
)

// pinNameRE is a Debian package name as a pin names it (policy 5.6.1):
// lower-case letters, digits, "+", "-" and ".", at least two characters,
// starting with a letter or digit. Unlike an action's package it takes no
// ":arch" qualifier: pins match packages by name.
var pinNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)

// ValidateConfig checks a provider block and the policies' pins without
// touching a host: the block must parse, every pinned package must be a
// Debian package name and every pinned version a Debian version dpkg
// accepts. Such a pin could never be installed; it is an error at the pin.
func ValidateConfig(cfg map[string]any, pins []sdk.Pin) []sdk.Diagnostic {
	var out []sdk.Diagnostic
	if _, err := ParseConfig(cfg); err != nil {
		for _, e := range unjoin(err) {
			out = append(out, sdk.Diagnostic{Severity: sdk.SeverityError, Summary: "Invalid apt provider configuration", Detail: e.Error()})
		}
	}
	for _, p := range pins {
		if !pinNameRE.MatchString(p.Package) {
			out = append(out, sdk.Diagnostic{Severity: sdk.SeverityError, PinID: p.ID, AboutPackage: true,
				Summary: "Invalid package name",
				Detail: fmt.Sprintf("%q is not a Debian package name: it must be at least two characters of lower-case letters, digits, \"+\", \"-\" and \".\", starting with a letter or digit%s",
					p.Package, archHint(p.Package))})
		}
		if err := debversion.Valid(p.Version); err != nil {
			out = append(out, sdk.Diagnostic{Severity: sdk.SeverityError, PinID: p.ID,
				Summary: "Invalid version",
				Detail:  fmt.Sprintf("pin %s: %v", p.Package, err)})
		}
	}
	return out
}

// archHint explains a rejected "name:arch".
func archHint(pkg string) string {
	if name, _, ok := strings.Cut(pkg, ":"); ok && pinNameRE.MatchString(name) {
		return fmt.Sprintf(" (pins match packages by name: pin %q)", name)
	}
	return ""
}

// unjoin splits an errors.Join error into its parts.
func unjoin(err error) []error {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		return j.Unwrap()
	}
	return []error{err}
}
