// Package apttest builds hermetic apt environments for tests: tiny .deb
// files, a local repository with the suites "stable" and "stable-security",
// and alternate roots (a dpkg database, apt state and a sources list in a
// temporary directory) that apt-get, apt-cache, apt-mark and dpkg act on
// without touching the machine's own package state.
//
// The recipe is the one of DESIGN.md section 8. Apt runs on a root with
// the options AptArgs returns; the hooks of the machine's apt
// configuration (DPkg::Post-Invoke and the like) are cleared for it, so
// nothing outside the root is written.
//
// Everything needs dpkg-deb, dpkg-scanpackages (package dpkg-dev), dpkg,
// dpkg-query and apt-get; call Available first and skip when it fails.
package apttest
