package apt

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestKernelRelease(t *testing.T) {
	for name, want := range map[string]string{
		"linux-image-6.1.0-27-amd64":            "6.1.0-27-amd64",
		"linux-image-6.1.0-27-amd64-unsigned":   "6.1.0-27-amd64",
		"linux-image-6.1.0-27-cloud-amd64":      "6.1.0-27-cloud-amd64",
		"linux-image-5.15.0-91-generic":         "5.15.0-91-generic",
		"linux-image-unsigned-6.8.0-45-generic": "6.8.0-45-generic",
		"linux-image-amd64":                     "",
		"linux-image-generic":                   "",
		"linux-image-cloud-amd64":               "",
		"linux-image-6.1.0-27-amd64-dbg":        "",
		"linux-headers-6.1.0-27-amd64":          "",
		"openssl":                               "",
	} {
		if got := kernelRelease(name); got != want {
			t.Errorf("kernelRelease(%s) = %q, want %q", name, got, want)
		}
	}
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStaleKernel judges the running kernel against installed kernel
// packages, with /proc/version banners recorded on Debian 12 and Ubuntu
// 22.04.
func TestStaleKernel(t *testing.T) {
	debian := readFixture(t, "testdata/kernel/proc-version-debian12.txt")
	ubuntu := readFixture(t, "testdata/kernel/proc-version-ubuntu2204.txt")
	ii := func(name, version string) pkgState {
		return pkgState{Name: name, Version: version, Arch: "amd64", Abbrev: "ii "}
	}
	meta := ii("linux-image-amd64", "6.1.119-1")
	for _, tc := range []struct {
		name, running, banner string
		pkgs                  []pkgState
		want                  string // "" for not stale, else a substring of the reason
	}{
		{"running the newest", "6.1.0-27-amd64", debian,
			[]pkgState{ii("linux-image-6.1.0-27-amd64", "6.1.115-1"), ii("linux-image-amd64", "6.1.115-1")}, ""},
		{"new ABI installed", "6.1.0-27-amd64", debian,
			[]pkgState{ii("linux-image-6.1.0-27-amd64", "6.1.115-1"), ii("linux-image-6.1.0-28-amd64", "6.1.119-1"), meta},
			"the running kernel 6.1.0-27-amd64 (linux-image-6.1.0-27-amd64 6.1.115-1) is older than the installed 6.1.0-28-amd64 (linux-image-6.1.0-28-amd64 6.1.119-1)"},
		{"running kernel removed since boot", "6.1.0-27-amd64", debian,
			[]pkgState{ii("linux-image-6.1.0-28-amd64", "6.1.119-1"), meta},
			"the running kernel 6.1.0-27-amd64 is older than the installed 6.1.0-28-amd64"},
		{"upgraded in place, same ABI", "6.1.0-27-amd64", debian,
			[]pkgState{ii("linux-image-6.1.0-27-amd64", "6.1.115-2")},
			"the running kernel 6.1.0-27-amd64 is build 6.1.115-1; linux-image-6.1.0-27-amd64 is installed at 6.1.115-2 since"},
		{"older kernel kept besides", "6.1.0-28-amd64", strings.NewReplacer("6.1.0-27", "6.1.0-28", "6.1.115-1", "6.1.119-1").Replace(debian),
			[]pkgState{ii("linux-image-6.1.0-27-amd64", "6.1.115-1"), ii("linux-image-6.1.0-28-amd64", "6.1.119-1")}, ""},
		{"ubuntu, new ABI", "5.15.0-91-generic", ubuntu,
			[]pkgState{ii("linux-image-5.15.0-91-generic", "5.15.0-91.101"), ii("linux-image-5.15.0-92-generic", "5.15.0-92.102")},
			"older than the installed 5.15.0-92-generic"},
		{"banner of another kernel", "6.1.0-27-amd64", ubuntu,
			[]pkgState{ii("linux-image-6.1.0-27-amd64", "6.1.115-2")}, ""},
		{"ubuntu, newest: no build in the banner to compare", "5.15.0-91-generic", ubuntu,
			[]pkgState{ii("linux-image-5.15.0-91-generic", "5.15.0-91.101")}, ""},
		{"custom kernel, no package", "6.18.44-fc-v1045", "Linux version 6.18.44-fc-v1045 (builder@sandboxing) #1 SMP PREEMPT_DYNAMIC @0",
			nil, ""},
		{"container on a newer host kernel", "6.8.0-45-generic", ubuntu,
			[]pkgState{ii("linux-image-6.1.0-28-amd64", "6.1.119-1")}, ""},
		{"half-installed kernel does not count", "6.1.0-27-amd64", debian,
			[]pkgState{ii("linux-image-6.1.0-27-amd64", "6.1.115-1"), {Name: "linux-image-6.1.0-28-amd64", Version: "6.1.119-1", Abbrev: "iU "}}, ""},
		{"alternate root: no running kernel", "", "",
			[]pkgState{ii("linux-image-6.1.0-28-amd64", "6.1.119-1")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := staleKernel(tc.running, tc.banner, tc.pkgs)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("staleKernel = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNeedsReboot(t *testing.T) {
	for name, want := range map[string]bool{
		"linux-image-6.1.0-28-amd64": true, "linux-image-amd64": true,
		"intel-microcode": true, "amd64-microcode": true, "firmware-misc-nonfree": true, "linux-firmware": true,
		"libc6":     true,
		"libc6-dev": false, "linux-headers-amd64": false, "openssl": false, "systemd": false, "libc-bin": false,
	} {
		if got := needsReboot(name); got != want {
			t.Errorf("needsReboot(%s) = %v, want %v", name, got, want)
		}
	}
}

// TestScanStaleKernel: a scan of root "/" running 6.1.0-27 with 6.1.0-28
// installed reports a pending reboot, and why, without
// /run/reboot-required.
func TestScanStaleKernel(t *testing.T) {
	rec := &recorder{r: new(fake).
		on("head", out("==> /etc/os-release <==\nID=debian\nVERSION_ID=\"12\"\n\n==> /proc/sys/kernel/osrelease <==\n6.1.0-27-amd64\n\n"+
			"==> /proc/version <==\n"+readFixture(t, "testdata/kernel/proc-version-debian12.txt"))).
		on("grep", out("Package: linux-image-6.1.0-27-amd64\nStatus: install ok installed\nArchitecture: amd64\nVersion: 6.1.115-1\n"+
			"Package: linux-image-6.1.0-28-amd64\nStatus: install ok installed\nArchitecture: amd64\nVersion: 6.1.119-1\n"))}
	inv, warnings, err := Scan(context.Background(), rec, Config{Root: "/"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "reboot pending: the running kernel 6.1.0-27-amd64 (linux-image-6.1.0-27-amd64 6.1.115-1) is older than the installed 6.1.0-28-amd64 (linux-image-6.1.0-28-amd64 6.1.119-1)"
	if !inv.PendingReboot || len(warnings) != 1 || warnings[0] != want {
		t.Errorf("pending_reboot = %v, warnings %q, want %q", inv.PendingReboot, warnings, want)
	}
}
