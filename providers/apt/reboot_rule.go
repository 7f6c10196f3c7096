package apt

import "path"

// rebootPackages are the packages whose update takes effect only after a
// reboot. Debian's package metadata (Packages index, control fields) has
// no field that says so; the signal Debian and Ubuntu do give comes after
// the install, from maintainer scripts writing /run/reboot-required(.pkgs),
// which a scan reads. Before the install this rule decides: the kernel
// (images and their metapackages), CPU microcode and firmware the kernel
// loads at boot, and the C library every running process has mapped.
var rebootPackages = []string{
	"linux-image-*",
	"intel-microcode", "amd64-microcode", "firmware-*", "linux-firmware",
	"libc6",
}

// needsReboot reports whether an update of package name (no
// architecture) needs a reboot by that rule.
func needsReboot(name string) bool {
	for _, p := range rebootPackages {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}
