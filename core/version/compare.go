package version

import (
	"errors"
	"fmt"

	"github.com/Masterminds/semver/v3"
	"github.com/tend-sh/tend/core/debversion"
)

// ErrUnordered is what Compare returns for opaque versions, which have no
// order.
var ErrUnordered = errors.New("opaque versions have no order")

// Compare returns a negative number, zero or a positive number as a is
// older than, equal in order to, or newer than b under scheme s.
//
//   - Debian (and the zero Scheme): debversion.Compare; never an error.
//   - Semver: Semantic Versioning 2.0.0 precedence. A version that is not
//     strict SemVer (a leading "v", a missing patch, a leading zero) is an
//     error: tend does not guess what the provider meant.
//   - Dotted: see compareDotted.
//   - Winget: see compareWinget.
//   - Fwupd: see compareFwupd; never an error.
//   - Opaque: always ErrUnordered.
//
// Equal in order is not the same version: semver 1.0.0+a and 1.0.0+b, or
// dotted 1.2 and 1.2.0, compare 0 but are different strings.
func Compare(s Scheme, a, b string) (int, error) {
	switch s {
	case Debian, "":
		return debversion.Compare(a, b), nil
	case Semver:
		return compareSemver(a, b)
	case Dotted:
		return compareDotted(a, b)
	case Winget:
		return compareWinget(a, b)
	case Fwupd:
		return compareFwupd(a, b)
	case Opaque:
		return 0, ErrUnordered
	}
	_, err := ParseScheme(string(s))
	return 0, err
}

// compareSemver orders two strict SemVer 2.0.0 versions.
func compareSemver(a, b string) (int, error) {
	va, err := semver.StrictNewVersion(a)
	if err != nil {
		return 0, fmt.Errorf("semver version %q: %w", a, err)
	}
	vb, err := semver.StrictNewVersion(b)
	if err != nil {
		return 0, fmt.Errorf("semver version %q: %w", b, err)
	}
	return va.Compare(vb), nil
}
