package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestServeInstalledAt: a host tend serve patched lists what it installed
// with the date, in report.json and in summary.json's recently_installed;
// the date outlives the apply that set it (a later apply of another
// package replaces last_apply), carried from report to report. Real apt in
// a hermetic root, a real Git remote.
func TestServeInstalledAt(t *testing.T) {
	bare, root := serveLab(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}, {Name: "zlib1g", Version: "1.3-1"}},
		Security:  []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2"}},
	})
	args := []string{"serve", "--once", "--repo", "file://" + bare, "--state-dir", t.TempDir()}
	before := time.Now().UTC().Add(-time.Second)
	if code, out, errOut := tend(t, args...); code != 0 {
		t.Fatalf("serve --once: exit %d\n%s%s", code, out, errOut)
	}
	rep := reportOf(t, bare)
	openssl := item(t, rep, "openssl")
	if openssl.State != model.ItemInstalled || openssl.Installed != "3.0.20-2" || openssl.InstalledAt == nil ||
		openssl.InstalledAt.Before(before) || !openssl.InstalledAt.Equal(rep.LastApply.FinishedAt) {
		t.Fatalf("openssl after the first apply: %+v (last apply %+v)", openssl, rep.LastApply)
	}
	first := *openssl.InstalledAt

	// A second apply, of zlib1g only: openssl keeps its date.
	root.Publish(t, apttest.Security, apttest.Pkg{Name: "zlib1g", Version: "1.3-2"})
	root.Update(t)
	if code, out, errOut := tend(t, args...); code != 0 {
		t.Fatalf("second serve --once: exit %d\n%s%s", code, out, errOut)
	}
	rep = reportOf(t, bare)
	if len(rep.LastApply.Results) != 1 || rep.LastApply.Results[0].ActionID != "lab/apt/zlib1g" {
		t.Fatalf("last apply: %+v", rep.LastApply)
	}
	if got := item(t, rep, "openssl"); got.InstalledAt == nil || !got.InstalledAt.Equal(first) || got.State != model.ItemInstalled {
		t.Fatalf("openssl after the second apply: %+v, want installed at %s", got, first)
	}
	zlib := item(t, rep, "zlib1g")
	// report.json's times are whole seconds: both applies may end in one.
	if zlib.State != model.ItemInstalled || zlib.Installed != "1.3-2" || zlib.InstalledAt == nil || zlib.InstalledAt.Before(first) {
		t.Fatalf("zlib1g: %+v", zlib)
	}
	if rep.State != model.HostCompliant {
		t.Errorf("state = %s", rep.State)
	}

	var sum model.FleetSummary
	if err := json.Unmarshal([]byte(gitRun(t, bare, "show", "tend/reports:summary.json")), &sum); err != nil {
		t.Fatal(err)
	}
	want := []model.RecentInstall{
		{Host: "lab", Provider: "apt", Package: "zlib1g", Version: "1.3-2", InstalledAt: *zlib.InstalledAt},
		{Host: "lab", Provider: "apt", Package: "openssl", Version: "3.0.20-2", InstalledAt: first},
	}
	if len(sum.RecentlyInstalled) != 2 || sum.RecentlyInstalled[0] != want[0] || sum.RecentlyInstalled[1] != want[1] {
		t.Errorf("recently_installed = %+v, want %+v", sum.RecentlyInstalled, want)
	}
	if md := gitRun(t, bare, "show", "tend/reports:SUMMARY.md"); !strings.Contains(md, "## Recently installed (30 days)") || !strings.Contains(md, "| lab | apt/zlib1g | 1.3-2 |") {
		t.Errorf("SUMMARY.md:\n%s", md)
	}
}

// reportOf reads lab's report.json from the reports branch of bare.
func reportOf(t *testing.T, bare string) model.Report {
	t.Helper()
	var r model.Report
	if err := json.Unmarshal([]byte(gitRun(t, bare, "show", "tend/reports:hosts/lab/report.json")), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// item returns the report's item for pkg.
func item(t *testing.T, r model.Report, pkg string) model.Item {
	t.Helper()
	for _, it := range r.Items {
		if it.Package == pkg {
			return it
		}
	}
	t.Fatalf("no item for %s in %+v", pkg, r.Items)
	return model.Item{}
}
