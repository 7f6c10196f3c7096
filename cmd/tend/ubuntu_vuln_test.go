package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tend-sh/tend/providers/apt/apttest"
)

// ubuntuJammy is the os-release of Ubuntu 22.04 LTS.
const ubuntuJammy = `PRETTY_NAME="Ubuntu 22.04.5 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.5 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=jammy
`

// TestAptVulnerabilitiesUbuntu: an Ubuntu 22.04 host (a hermetic apt root
// whose os-release says so) matched against Canonical's OSV records,
// zipped as osv.dev serves the Ubuntu ecosystem: the libwebp update fixes
// CVE-2023-4863 (the Ubuntu:22.04:LTS range, not Ubuntu Pro's or 20.04's),
// glibc stays open to the CVEs of USN-6409-1 (named there as UBUNTU-CVE-…),
// the plan shows CVSS from the record and KEV from the catalog, and the
// approved fix is applied (real apt).
func TestAptVulnerabilitiesUbuntu(t *testing.T) {
	conf, root := aptLabPolicy(t, apttest.Options{
		OSRelease: ubuntuJammy,
		Installed: []apttest.Pkg{
			{Name: "libwebp7", Version: "1.2.2-2ubuntu0.22.04.1", Source: "libwebp"},
			{Name: "libc6", Version: "2.35-0ubuntu3.3", Source: "glibc"},
			{Name: "tzdata", Version: "2024a-0ubuntu0.22.04"},
		},
		Stable:   []apttest.Pkg{{Name: "tzdata", Version: "2024a-0ubuntu0.22.04.1"}},
		Security: []apttest.Pkg{{Name: "libwebp7", Version: "1.2.2-2ubuntu0.22.04.2", Source: "libwebp"}},
	}, "approve {\n    kev = true\n  }")
	if err := os.MkdirAll(filepath.Join(conf, "feeds"), 0o755); err != nil {
		t.Fatal(err)
	}
	zipRecords(t, filepath.Join(conf, "feeds", "ubuntu-osv.zip"), filepath.Join(feedFixtures, "osv-ubuntu"))
	kev, err := os.ReadFile(filepath.Join(feedFixtures, "kev.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "feeds", "kev.json"), kev, 0o644); err != nil {
		t.Fatal(err)
	}
	feedsConf := `feed "ubuntu" {
  type = "osv"
  file = "feeds/ubuntu-osv.zip"
}
feed "kev" {
  type = "kev"
  file = "feeds/kev.json"
}
`
	if err := os.WriteFile(filepath.Join(conf, "feeds.tend.hcl"), []byte(feedsConf), 0o644); err != nil {
		t.Fatal(err)
	}
	inv := initScanLab(t, conf)
	if inv.Facts["os"] != "ubuntu" || inv.Facts["release"] != "22.04" {
		t.Fatalf("facts of the Ubuntu root: %v", inv.Facts)
	}
	cves := map[string][]string{}
	for _, u := range inv.Available {
		cves[u.Name] = u.CVEs
	}
	if !slices.Equal(cves["libwebp7"], []string{"CVE-2023-4863"}) || len(cves["tzdata"]) != 0 {
		t.Errorf("CVEs of the available updates: %v", cves)
	}
	var open []string
	for o := range inv.OpenCVEs.All() {
		open = append(open, o.Package+" "+o.CVE)
	}
	if strings.Join(open, ", ") != "libc6 CVE-2023-4527, libc6 CVE-2023-4911" {
		t.Errorf("open CVEs: %v", open)
	}

	code, out, errOut := tend(t, "plan", "-C", conf, "--inventory", filepath.Join(conf, ".tend", "inventory"))
	for _, want := range []string{
		"upgrade  libwebp7  1.2.2-2ubuntu0.22.04.1 → 1.2.2-2ubuntu0.22.04.2  security  CVE-2023-4863 (CVSS 8.8, KEV due 2023-10-04)  (approve[0]: kev)",
		"CVE-2023-4911 (KEV due 2023-12-12) in libc6 2.35-0ubuntu3.3",
		"vulnerability feeds: kev dated 2025-08-25; ubuntu dated 2025-07-16",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q\nexit %d\n%s%s", want, code, out, errOut)
		}
	}
	if code, out, errOut := tend(t, "apply", "-C", conf, "--auto-approve"); code != 0 || !strings.Contains(out, "Applied: 1 succeeded, 0 failed") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	if got := root.Installed(t); got["libwebp7"] != "1.2.2-2ubuntu0.22.04.2" || got["tzdata"] != "2024a-0ubuntu0.22.04" {
		t.Errorf("after apply: %v", got)
	}
}

// zipRecords zips each .json file of dir into one archive, one record a
// file, as osv.dev's per-ecosystem all.zip holds them.
func zipRecords(t *testing.T, out, dir string) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("%s: %v %v", dir, names, err)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(filepath.Base(n))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}
