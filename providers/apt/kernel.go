package apt

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tend-sh/tend/core/debversion"
)

// procVersion is the running kernel's banner, which on Debian ends with
// the version of the package it was built as; root "/" only.
const procVersion = "/proc/version"

// debianBuildRE finds that version: "… #1 SMP PREEMPT_DYNAMIC Debian
// 6.1.115-1 (2024-11-01)" (the compiler's "(Debian 12.2.0-14)" earlier in
// the line is not it).
var debianBuildRE = regexp.MustCompile(`\sDebian (\S+) \(\d{4}-\d{2}-\d{2}\)\s*$`)

// kernelRelease is the release (uname -r) a linux-image package boots:
// linux-image-6.1.0-27-amd64 (Debian; -unsigned too) and
// linux-image-unsigned-6.8.0-45-generic (Ubuntu) name it. Metapackages
// (linux-image-amd64, linux-image-generic) and debug symbols
// (…-dbg) boot nothing themselves: "".
func kernelRelease(name string) string {
	rest, ok := strings.CutPrefix(name, "linux-image-")
	if !ok {
		return ""
	}
	rest = strings.TrimSuffix(strings.TrimPrefix(rest, "unsigned-"), "-unsigned")
	if rest == "" || rest[0] < '0' || rest[0] > '9' || strings.HasSuffix(rest, "-dbg") || strings.HasSuffix(rest, "-dbgsym") {
		return ""
	}
	return rest
}

// kernelImage is one installed kernel package.
type kernelImage struct{ pkg, release, version string }

// staleKernel says why the running kernel (release running, banner
// banner) is older than the newest installed kernel package, "" when it
// is not or that cannot be told:
//
//   - the running release's package is installed and another kernel
//     package has a higher version (a new ABI was installed); or
//   - it is not installed (removed since boot) and an installed kernel's
//     release sorts after the running one; or
//   - the banner names the Debian build running ("Debian 6.1.115-1") and
//     its package is now installed at a higher version (an upgrade in
//     place, same ABI).
//
// A kernel no installed package provides (a custom or a virtual machine's
// kernel, a container on its host's kernel) with no kernel package
// releasing after it is not stale.
func staleKernel(running, banner string, pkgs []pkgState) string {
	if running == "" {
		return ""
	}
	var images []kernelImage
	var own *kernelImage
	for _, p := range pkgs {
		if rel := kernelRelease(p.Name); rel != "" && p.OK() {
			images = append(images, kernelImage{p.Name, rel, p.Version})
			if rel == running {
				own = &images[len(images)-1]
			}
		}
	}
	if len(images) == 0 {
		return ""
	}
	if own == nil {
		newest := images[0]
		for _, k := range images[1:] {
			if debversion.Compare(k.release, newest.release) > 0 {
				newest = k
			}
		}
		if debversion.Compare(newest.release, running) > 0 {
			return fmt.Sprintf("the running kernel %s is older than the installed %s (%s %s)", running, newest.release, newest.pkg, newest.version)
		}
		return ""
	}
	newest := *own
	for _, k := range images {
		if debversion.Compare(k.version, newest.version) > 0 {
			newest = k
		}
	}
	if newest.pkg != own.pkg {
		return fmt.Sprintf("the running kernel %s (%s %s) is older than the installed %s (%s %s)", running, own.pkg, own.version, newest.release, newest.pkg, newest.version)
	}
	if !strings.HasPrefix(banner, "Linux version "+running+" ") {
		return "" // a banner of another kernel says nothing of this one
	}
	if m := debianBuildRE.FindStringSubmatch(strings.TrimSpace(banner)); m != nil && debversion.Compare(own.version, m[1]) > 0 {
		return fmt.Sprintf("the running kernel %s is build %s; %s is installed at %s since", running, m[1], own.pkg, own.version)
	}
	return ""
}
