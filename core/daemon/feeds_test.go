package daemon

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tend-sh/tend/core/feeds/feedstest"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestFeedsOnTheirSchedule: tend serve fetches the url feeds over HTTPS,
// matches the scan against them (the reports branch's snapshot carries the
// CVE), approves the KEV fix by kev = true and applies it; the next
// reconcile within the refresh interval does not fetch again.
func TestFeedsOnTheirSchedule(t *testing.T) {
	srv := feedstest.Start(t, feedstest.Fixtures(t, filepath.Join("..", "feeds", "testdata"),
		map[string]string{"/tracker.json": "debian-tracker.json", "/kev.json": "kev.json"}))

	l := newLab(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "libwebp7", Version: "1.2.4-0.2", Source: "libwebp"}, {Name: "tzdata", Version: "2025a-1"}},
		Stable:    []apttest.Pkg{{Name: "tzdata", Version: "2025b-1"}},
		Security:  []apttest.Pkg{{Name: "libwebp7", Version: "1.2.4-0.2+deb12u1", Source: "libwebp"}},
	})
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, "  approve {\n    kev = true\n  }")+`
feed "debian" {
  type = "debian-tracker"
  url  = "`+srv.URL+`/tracker.json"
}
feed "kev" {
  type    = "kev"
  url     = "`+srv.URL+`/kev.json"
  refresh = "6h"
}
`)
	l.commit("approve KEV fixes")
	d := l.daemon(func(o *Options) { o.FeedClient = srv.Client() })
	out := l.reconcile(d)
	if a := out.Plan.Hosts[0].Actions; len(a) != 1 || a[0].Package != "libwebp7" || len(a[0].Vulns) != 1 || !a[0].Vulns[0].KEV {
		t.Fatalf("planned actions: %+v", a)
	}
	if got := l.root.Installed(t); got["libwebp7"] != "1.2.4-0.2+deb12u1" || got["tzdata"] != "2025a-1" {
		t.Fatalf("installed: %v; want the KEV fix alone", got)
	}
	var snap model.Snapshot
	l.reportsJSON("hosts/lab/inventory.json", &snap)
	var sources []string
	for _, it := range snap.Providers["apt"].Installed {
		sources = append(sources, it.Name+"="+it.Source)
	}
	if !slices.Contains(sources, "libwebp7=libwebp") {
		t.Errorf("installed sources on the reports branch: %v", sources)
	}
	for _, f := range []string{"debian.data", "kev.data", "kev.meta.json"} {
		if _, err := os.Stat(filepath.Join(l.state, "feeds", f)); err != nil {
			t.Errorf("feed cache: %v", err)
		}
	}
	first := srv.Requests()
	if first["/tracker.json"] != 1 || first["/kev.json"] != 1 {
		t.Fatalf("requests after the first reconcile: %v", first)
	}
	// Within the refresh interval nothing is fetched again.
	l.reconcile(d)
	if requests := srv.Requests(); requests["/tracker.json"] != 1 || requests["/kev.json"] != 1 {
		t.Errorf("requests after the second reconcile: %v", requests)
	}
}
