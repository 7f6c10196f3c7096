package apt

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tend-sh/tend/core/debversion"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/plugins/sdk"
)

// packageRE is a Debian package name (policy 5.6.1: lower-case letters,
// digits, "+", "-" and ".", at least two characters, starting with a letter
// or digit), optionally qualified with an architecture.
var packageRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+(:[a-z0-9][a-z0-9-]*)?$`)

// validPackage checks a package name before it reaches an argv.
func validPackage(name string) error {
	if !packageRE.MatchString(name) {
		return fmt.Errorf("invalid package name %q", name)
	}
	return nil
}

// splitArch splits "name:arch" into its parts; arch is empty without one.
func splitArch(pkg string) (name, arch string) {
	name, arch, _ = strings.Cut(pkg, ":")
	return name, arch
}

// isChange reports whether an action type goes into the apt-get install
// transaction.
func isChange(typ string) bool {
	return typ == model.ActionInstall || typ == model.ActionUpgrade || typ == model.ActionDowngrade
}

// validateAction checks an action's type, package and version.
func validateAction(a sdk.Action) error {
	switch {
	case isChange(a.Type):
		if err := validPackage(a.Package); err != nil {
			return err
		}
		if a.To == "" {
			return fmt.Errorf("%s of %s: no target version", a.Type, a.Package)
		}
		return debversion.Valid(a.To)
	case a.Type == model.ActionHold || a.Type == model.ActionUnhold:
		return validPackage(a.Package)
	case a.Type == model.ActionReboot:
		return nil
	}
	return fmt.Errorf("unsupported action type %q (apt supports %s)", a.Type, strings.Join(Actions, ", "))
}
