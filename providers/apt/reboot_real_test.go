package apt

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestRealRebootSignals: on a hermetic root, an update's reboot_required
// comes from the kernel/firmware/libc rule; a pending reboot comes from
// /run/reboot-required only, since an alternate root has no running
// kernel to compare its newer installed kernel with.
func TestRealRebootSignals(t *testing.T) {
	r := apttest.NewRoot(t, apttest.Options{
		Installed: []apttest.Pkg{
			{Name: "libc6", Version: "2.36-9"}, {Name: "curl", Version: "7.88-1"},
			{Name: "linux-image-6.1.0-27-amd64", Version: "6.1.115-1"}, {Name: "linux-image-6.1.0-28-amd64", Version: "6.1.119-1"},
		},
		Security: []apttest.Pkg{{Name: "libc6", Version: "2.36-9+deb12u9"}, {Name: "curl", Version: "7.88-2"}},
	})
	cfg := Config{Root: r.Dir}
	inv, warnings := scan(t, cfg)
	reboot := map[string]bool{}
	for _, u := range inv.Available {
		reboot[u.Name] = u.RebootRequired
	}
	if want := map[string]bool{"libc6": true, "curl": false}; !maps.Equal(reboot, want) {
		t.Errorf("reboot_required = %v, want %v", reboot, want)
	}
	if inv.PendingReboot || len(warnings) > 0 {
		t.Errorf("pending_reboot = %v (warnings %q) on an alternate root without /run/reboot-required", inv.PendingReboot, warnings)
	}

	write(t, filepath.Join(r.Dir, "run/reboot-required"), "*** System restart required ***\n")
	write(t, filepath.Join(r.Dir, "run/reboot-required.pkgs"), "linux-image-6.1.0-28-amd64\n")
	inv, warnings = scan(t, cfg)
	if !inv.PendingReboot || !slices.Equal(warnings, []string{"reboot required by: linux-image-6.1.0-28-amd64"}) {
		t.Errorf("pending_reboot = %v, warnings %q", inv.PendingReboot, warnings)
	}
}
