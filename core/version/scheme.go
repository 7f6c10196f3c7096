package version

import (
	"fmt"
	"strings"
)

// Scheme names how a provider's versions compare. The zero Scheme is
// "not declared" and compares as Debian.
type Scheme string

// The schemes tend knows.
const (
	// Debian orders versions as dpkg does ([epoch:]upstream[-revision]);
	// see core/debversion.
	Debian Scheme = "debian"
	// Semver orders Semantic Versioning 2.0.0 versions (1.2.3-rc.1+build):
	// a pre-release sorts before its release, build metadata is ignored.
	Semver Scheme = "semver"
	// Dotted orders dot-separated segments (10.0.19041.3693, firmware
	// 1.2.3): see Compare.
	Dotted Scheme = "dotted"
	// Winget orders versions as winget does (1.0-rc < 1.0 = 1.0.0,
	// "Unknown" below and "Latest" above everything): see compareWinget.
	Winget Scheme = "winget"
	// Fwupd orders firmware versions as fwupd does (1.2.3~rc1 < 1.2.3 <
	// 1.2.3a < 1.2.3.1; 0x2 = 0x00000002): see compareFwupd.
	Fwupd Scheme = "fwupd"
	// Opaque versions have no order: two versions are equal or different,
	// never older or newer (Windows Update KB numbers).
	Opaque Scheme = "opaque"
)

// schemes lists the known schemes in the order messages name them.
var schemes = []Scheme{Debian, Semver, Dotted, Winget, Fwupd, Opaque}

// ParseScheme returns the scheme named s. An empty s is the zero Scheme
// (not declared, ordered as Debian); any other name tend does not know is
// an error that lists the known ones.
func ParseScheme(s string) (Scheme, error) {
	if s == "" {
		return "", nil
	}
	for _, k := range schemes {
		if Scheme(s) == k {
			return k, nil
		}
	}
	names := make([]string, len(schemes))
	for i, k := range schemes {
		names[i] = string(k)
	}
	return "", fmt.Errorf("unknown version scheme %q: tend knows %s", s, strings.Join(names, ", "))
}

// UnmarshalText accepts only the names ParseScheme accepts, so an inventory
// snapshot with an unknown version_scheme fails to decode.
func (s *Scheme) UnmarshalText(b []byte) error {
	k, err := ParseScheme(string(b))
	if err != nil {
		return err
	}
	*s = k
	return nil
}
