package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// useFeedsClient points tend's feed fetches at a test's TLS server
// (its client trusts the server's certificate) until the test ends.
func useFeedsClient(t *testing.T, c *http.Client) {
	prev := feedsClient
	feedsClient = c
	t.Cleanup(func() { feedsClient = prev })
}

// feedFixtures is where core/feeds keeps its feed excerpts.
var feedFixtures = filepath.Join("..", "..", "core", "feeds", "testdata")

// copyFeeds copies the feed fixtures into conf/feeds and returns the feed
// blocks that read them.
func copyFeeds(t *testing.T, conf string) string {
	t.Helper()
	dir := filepath.Join(conf, "feeds")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var blocks strings.Builder
	for _, f := range []struct{ name, file, typ string }{
		{"debian", "debian-tracker.json", "debian-tracker"}, {"osv", "osv-debian.json", "osv"},
		{"kev", "kev.json", "kev"}, {"epss", "epss.csv", "epss"},
	} {
		b, err := os.ReadFile(filepath.Join(feedFixtures, f.file))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.file), b, 0o644); err != nil {
			t.Fatal(err)
		}
		blocks.WriteString("feed \"" + f.name + "\" {\n  type = \"" + f.typ + "\"\n  file = \"feeds/" + f.file + "\"\n}\n")
	}
	return blocks.String()
}

// TestAptVulnerabilities: a host with libwebp at a version the Debian
// tracker marks vulnerable to CVE-2023-4863 (KEV-listed). The scan matches
// the upgrade that fixes it, the plan shows the CVE with its CVSS, EPSS and
// KEV facts, an approve block with kev = true approves it, and the fast
// lane applies it while the policy's window is closed (real apt).
func TestAptVulnerabilities(t *testing.T) {
	conf, root := aptLabPolicy(t, apttest.Options{
		Installed: []apttest.Pkg{
			{Name: "libwebp7", Version: "1.2.4-0.2", Source: "libwebp"},
			{Name: "libc6", Version: "2.36-9+deb12u1", Source: "glibc"},
			{Name: "tzdata", Version: "2025a-1"},
		},
		Stable:   []apttest.Pkg{{Name: "tzdata", Version: "2025b-1"}},
		Security: []apttest.Pkg{{Name: "libwebp7", Version: "1.2.4-0.2+deb12u1", Source: "libwebp"}},
	}, `window = window.new_year
  approve {
    kev = true
  }
  fast_lane {
    kev = true
  }`)
	extra := copyFeeds(t, conf) + `
window "new_year" {
  schedule = "0 3 1 1 *"
  duration = "1h"
}
`
	if err := os.WriteFile(filepath.Join(conf, "feeds.tend.hcl"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	inv := initScanLab(t, conf)
	var webp *model.Update
	for i := range inv.Available {
		if inv.Available[i].Name == "libwebp7" {
			webp = &inv.Available[i]
		}
	}
	if webp == nil || strings.Join(webp.CVEs, ",") != "CVE-2023-4863" {
		t.Fatalf("scanned libwebp7 update: %+v", webp)
	}
	sources := map[string]string{}
	for _, it := range inv.Installed {
		sources[it.Name] = it.Source
	}
	if sources["libwebp7"] != "libwebp" || sources["libc6"] != "glibc" || sources["tzdata"] != "" {
		t.Errorf("installed sources: %v", sources)
	}
	var open []string
	for o := range inv.OpenCVEs.All() {
		open = append(open, o.Package+" "+o.CVE)
	}
	if strings.Join(open, ", ") != "libc6 CVE-2019-1010022, libc6 CVE-2023-4911" {
		t.Errorf("open CVEs: %v", open)
	}

	code, out, errOut := tend(t, "plan", "-C", conf, "--inventory", filepath.Join(conf, ".tend", "inventory"))
	for _, want := range []string{
		"upgrade  libwebp7  1.2.4-0.2 → 1.2.4-0.2+deb12u1  security  CVE-2023-4863 (CVSS 8.8, EPSS 0.9998, KEV due 2023-10-04)  (approve[0]: kev) [fast_lane (kev): CVE-2023-4863]",
		"CVE-2023-4911 (CVSS 7.8, EPSS 0.8142, KEV due 2023-12-12) in libc6 2.36-9+deb12u1",
		"1  not approved by any approve block",
		"CVEs: Closes 1 CVE on 1 host (KEV: CVE-2023-4863 on 1 host); leaves 2 CVEs on 1 host (KEV: CVE-2023-4911 on 1 host) open.",
		"vulnerability feeds: debian (undated file); epss dated 2026-09-29; kev dated 2025-08-25; osv dated 2023-10-03",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q\nexit %d\n%s%s", want, code, out, errOut)
		}
	}
	var pl model.Plan
	_, js, _ := tend(t, "plan", "-C", conf, "--inventory", filepath.Join(conf, ".tend", "inventory"), "--json")
	if err := json.Unmarshal([]byte(js), &pl); err != nil {
		t.Fatal(err)
	}
	if a := pl.Hosts[0].Actions; len(a) != 1 || len(a[0].Vulns) != 1 || !a[0].Vulns[0].KEV || a[0].Vulns[0].CVSS != 8.8 || a[0].FastLane == "" {
		t.Errorf("plan JSON actions: %+v", a)
	}

	// The window is closed (it opens on New Year's Day); the fast lane
	// applies the KEV fix anyway, and nothing else.
	if code, out, errOut := tend(t, "apply", "-C", conf, "--auto-approve"); code != 0 || !strings.Contains(out, "Applied: 1 succeeded, 0 failed") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	installed := root.Installed(t)
	if installed["libwebp7"] != "1.2.4-0.2+deb12u1" || installed["tzdata"] != "2025a-1" {
		t.Errorf("after apply: %v", installed)
	}
}

// TestAptVulnerabilitiesWithoutFastLane: the same KEV fix waits for the
// window when the policy has no fast lane.
func TestAptVulnerabilitiesWithoutFastLane(t *testing.T) {
	conf, root := aptLabPolicy(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "libwebp7", Version: "1.2.4-0.2", Source: "libwebp"}},
		Security:  []apttest.Pkg{{Name: "libwebp7", Version: "1.2.4-0.2+deb12u1", Source: "libwebp"}},
	}, "window = window.new_year\n  approve {\n    kev = true\n  }")
	extra := copyFeeds(t, conf) + "window \"new_year\" {\n  schedule = \"0 3 1 1 *\"\n  duration = \"1h\"\n}\n"
	if err := os.WriteFile(filepath.Join(conf, "feeds.tend.hcl"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := tend(t, "init", "-C", conf); code != 0 {
		t.Fatalf("init: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := tend(t, "plan", "-C", conf)
	if !strings.Contains(out, "window new_year closed; fixes CVE-2023-4863 (CVSS 8.8") {
		t.Errorf("plan: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := tend(t, "apply", "-C", conf, "--auto-approve"); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	if got := root.Installed(t)["libwebp7"]; got != "1.2.4-0.2" {
		t.Errorf("libwebp7 = %s with the window closed and no fast lane", got)
	}
}

// TestFeedsUpdate: tend feeds update against a local HTTPS server: a
// fetch, then a 304, then a broken file refused while the last good copy
// stays, then a failure reported with nothing lost.
func TestFeedsUpdate(t *testing.T) {
	kev, err := os.ReadFile(filepath.Join(feedFixtures, "kev.json"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	body, etag, status := kev, `"2025.08.25"`, 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case status != 0:
			w.WriteHeader(status)
		case r.Header.Get("If-None-Match") == etag:
			w.WriteHeader(http.StatusNotModified)
		default:
			w.Header().Set("ETag", etag)
			w.Write(body)
		}
	}))
	defer srv.Close()
	useFeedsClient(t, srv.Client())

	conf := t.TempDir()
	src := `host "h" {
  transport = "local"
}
feed "kev" {
  type = "kev"
  url  = "` + srv.URL + `/known_exploited_vulnerabilities.json"
}
`
	if err := os.WriteFile(filepath.Join(conf, "main.tend.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cached := filepath.Join(conf, ".tend", "feeds", "kev.data")
	step := func(name string, wantCode int, wantOut string) {
		t.Helper()
		code, out, errOut := tend(t, "feeds", "update", "-C", conf)
		if code != wantCode || !strings.Contains(out+errOut, wantOut) {
			t.Errorf("%s: exit %d, want %d with %q\n%s%s", name, code, wantCode, wantOut, out, errOut)
		}
		if b, err := os.ReadFile(cached); err != nil || string(b) != string(kev) {
			t.Errorf("%s: the cached copy is not the good one (%v)", name, err)
		}
	}
	if code, out, _ := tend(t, "feeds", "-C", conf); code != 0 || !strings.Contains(out, "not fetched yet") {
		t.Errorf("feeds before update: %d %s", code, out)
	}
	step("first fetch", 0, "kev: updated, "+itoa(len(kev))+" bytes, dated 2025-08-25")
	step("second fetch", 0, "kev: unchanged (304 Not Modified)")
	mu.Lock()
	body, etag = []byte(`{"title": "CISA Catalog of Known Exploited Vulnerabilities", "vulnerabilities": [`), `"broken"`
	mu.Unlock()
	step("broken file", 1, "kev: refused: ")
	mu.Lock()
	status = http.StatusBadGateway
	mu.Unlock()
	step("server error", 1, "kev: failed: GET "+srv.URL+"/known_exploited_vulnerabilities.json: 502 Bad Gateway; kept the copy fetched")
	if code, out, _ := tend(t, "feeds", "-C", conf); code != 0 || !strings.Contains(out, "dated 2025-08-25, fetched") {
		t.Errorf("feeds after the failures: %d %s", code, out)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// initScanLab runs tend init and tend scan in conf and returns host lab's
// apt inventory from the snapshot the scan wrote.
func initScanLab(t *testing.T, conf string) *model.ProviderInventory {
	t.Helper()
	if code, out, errOut := tend(t, "init", "-C", conf); code != 0 {
		t.Fatalf("init: %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := tend(t, "scan", "-C", conf); code != 0 {
		t.Fatalf("scan: %d\n%s%s", code, out, errOut)
	}
	inv := readSnapshot(t, filepath.Join(conf, ".tend", "inventory", "lab", "inventory.json")).Providers["apt"]
	return inv
}
