// Package version holds the version schemes tend orders package versions
// by: a provider declares one Scheme (debian, semver, dotted, winget, fwupd
// or opaque) for its inventory, and Compare orders two versions of that
// provider by it.
//
// The scheme travels with each provider's section of an inventory snapshot
// (version_scheme), so a plan made offline from the snapshot orders versions
// as the provider that scanned them would. A section without one is
// ordered as Debian versions, which is what every inventory meant before
// schemes existed.
//
// Whatever the scheme, two versions are the same version only when their
// strings are equal: a pin names the exact string the provider installs.
// Compare tells which way a change between two versions goes (upgrade or
// downgrade), not whether they are the same.
package version
