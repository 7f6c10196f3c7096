package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/feeds/feedstest"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestFeedCopyOnReportsBranch: tend serve fetches the url feeds over
// HTTPS and commits them to the reports branch beside the reports; a
// fresh clone, with no feed cache (a pull request's CI job), plans from
// the branch's inventory and matches with the branch's feeds: the plan
// shows the CVE with its CVSS and KEV facts and says each feed's age and
// where it came from, in text and JSON. A second reconcile with the same
// feeds commits nothing.
func TestFeedCopyOnReportsBranch(t *testing.T) {
	srv := feedstest.Start(t, feedstest.Fixtures(t, feedFixtures,
		map[string]string{"/tracker.json": "debian-tracker.json", "/kev.json": "kev.json", "/osv.json": "osv-debian.json"}))
	useFeedsClient(t, srv.Client())

	conf, _ := aptLabPolicy(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "libwebp7", Version: "1.2.4-0.2", Source: "libwebp"}, {Name: "libc6", Version: "2.36-9+deb12u1", Source: "glibc"}},
		Security:  []apttest.Pkg{{Name: "libwebp7", Version: "1.2.4-0.2+deb12u1", Source: "libwebp"}},
	}, "approve {\n    kev = true\n  }")
	feedBlocks := ""
	for name, f := range map[string]string{"debian": "debian-tracker\"\n  url  = \"" + srv.URL + "/tracker.json",
		"kev": "kev\"\n  url  = \"" + srv.URL + "/kev.json", "osv": "osv\"\n  url  = \"" + srv.URL + "/osv.json"} {
		feedBlocks += "feed \"" + name + "\" {\n  type = \"" + f + "\"\n}\n"
	}
	if err := os.WriteFile(filepath.Join(conf, "feeds.tend.hcl"), []byte(feedBlocks), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := tend(t, "init", "-C", conf); code != 0 {
		t.Fatalf("init: %d\n%s%s", code, out, errOut)
	}
	bare := publishConfig(t, conf, "policy with url feeds")

	args := []string{"serve", "--once", "--scan-only", "--repo", "file://" + bare, "--state-dir", t.TempDir()}
	if code, out, errOut := tend(t, args...); code != 0 || !strings.Contains(errOut, "committed=true") {
		t.Fatalf("serve --once: exit %d\n%s%s", code, out, errOut)
	}
	listing := gitRun(t, bare, "ls-tree", "-r", "--name-only", "tend/reports", "feeds")
	if listing != "feeds/debian.gz\nfeeds/feeds.json\nfeeds/kev.gz\nfeeds/osv.gz" {
		t.Fatalf("feeds/ on the reports branch:\n%s", listing)
	}
	manifest := gitRun(t, bare, "show", "tend/reports:feeds/feeds.json")
	for _, want := range []string{`"name": "debian"`, `"form": "reduced"`, `"url": "` + srv.URL + `/kev.json"`, `"form": "as-fetched"`, `"fetched_at": "`} {
		if !strings.Contains(manifest, want) {
			t.Errorf("feeds/feeds.json lacks %s:\n%s", want, manifest)
		}
	}
	head := gitRun(t, bare, "rev-parse", "tend/reports")
	if code, out, errOut := tend(t, args...); code != 0 || !strings.Contains(errOut, "committed=false") {
		t.Fatalf("second serve --once: exit %d\n%s%s", code, out, errOut)
	}
	if got := gitRun(t, bare, "rev-parse", "tend/reports"); got != head {
		t.Errorf("the second reconcile, with the same feeds, committed %s", got)
	}

	// CI: a fresh clone, no .tend/feeds.
	clone := filepath.Join(t.TempDir(), "clone")
	gitRun(t, "", "clone", "-q", bare, clone)
	if _, err := os.Stat(filepath.Join(clone, ".tend", "feeds")); !os.IsNotExist(err) {
		t.Fatalf("the clone has a feed cache: %v", err)
	}
	at := time.Now().Add(90 * time.Minute).UTC().Format(time.RFC3339)
	code, out, errOut := tend(t, "plan", "-C", clone, "--inventory", "git:origin/tend/reports", "--at", at)
	from := ", from the reports branch origin/tend/reports)"
	for _, want := range []string{
		"upgrade  libwebp7  1.2.4-0.2 → 1.2.4-0.2+deb12u1  security  CVE-2023-4863 (CVSS 8.8, KEV due 2023-10-04)",
		"CVE-2023-4911 (CVSS 7.8, KEV due 2023-12-12) in libc6 2.36-9+deb12u1",
		"vulnerability feeds: debian dated " + time.Now().UTC().Format(time.DateOnly) + " (fetched 1h before the plan" + from,
		"; kev dated 2025-08-25 (fetched 1h before the plan" + from,
		"; osv dated 2023-10-03 (fetched 1h before the plan" + from,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan in the clone lacks %q\nexit %d\n%s%s", want, code, out, errOut)
		}
	}
	_, js, errOut := tend(t, "plan", "-C", clone, "--inventory", "git:origin/tend/reports", "--at", at, "--json")
	var pl model.Plan
	if err := json.Unmarshal([]byte(js), &pl); err != nil {
		t.Fatalf("%v\n%s%s", err, js, errOut)
	}
	if len(pl.Feeds) != 3 {
		t.Fatalf("plan JSON feeds: %+v", pl.Feeds)
	}
	for _, f := range pl.Feeds {
		if f.From != "reports branch origin/tend/reports" || f.FetchedAt == nil || f.Date == nil || f.Error != "" {
			t.Errorf("plan JSON feed %+v", f)
		}
	}
	// tend feeds says the same; the clone's plans wrote no cache.
	if code, out, _ := tend(t, "feeds", "-C", clone); code != 0 || !strings.Contains(out, "kev          kev             dated 2025-08-25, fetched ") ||
		strings.Count(out, "from the reports branch origin/tend/reports") != 3 {
		t.Errorf("tend feeds in the clone: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(clone, ".tend", "feeds")); !os.IsNotExist(err) {
		t.Errorf("plans in the clone wrote a feed cache: %v", err)
	}
}

// TestReportCommitFeedCopies: without a daemon, a CI job runs tend feeds
// update and tend report --commit: the reports branch gets the url feeds'
// copies as tend serve writes them, a fresh clone plans with them, a
// second commit with the same feeds and reports makes no commit, and a
// feed taken out of the configuration has its copy removed.
func TestReportCommitFeedCopies(t *testing.T) {
	srv := feedstest.Start(t, feedstest.Fixtures(t, feedFixtures,
		map[string]string{"/tracker.json": "debian-tracker.json", "/kev.json": "kev.json"}))
	useFeedsClient(t, srv.Client())

	conf, _ := aptLabPolicy(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "libwebp7", Version: "1.2.4-0.2", Source: "libwebp"}},
		Security:  []apttest.Pkg{{Name: "libwebp7", Version: "1.2.4-0.2+deb12u1", Source: "libwebp"}},
	}, "approve {\n    kev = true\n  }")
	debian := "feed \"debian\" {\n  type = \"debian-tracker\"\n  url  = \"" + srv.URL + "/tracker.json\"\n}\n"
	kev := "feed \"kev\" {\n  type = \"kev\"\n  url  = \"" + srv.URL + "/kev.json\"\n}\n"
	feedsFile := filepath.Join(conf, "feeds.tend.hcl")
	if err := os.WriteFile(feedsFile, []byte(debian+kev), 0o644); err != nil {
		t.Fatal(err)
	}
	initScanLab(t, conf)
	bare := publishConfig(t, conf, "policy with url feeds")
	gitRun(t, conf, "remote", "add", "origin", bare)
	tendOK(t, "feeds", "update", "-C", conf)
	commit := func() string {
		t.Helper()
		code, out, errOut := tend(t, "report", "-C", conf, "--commit", "--push", "origin")
		if code != 0 {
			t.Fatalf("report --commit: exit %d\n%s%s", code, out, errOut)
		}
		return errOut
	}
	if errOut := commit(); !strings.Contains(errOut, "Committed the reports to tend/reports") {
		t.Fatalf("report --commit did not commit:\n%s", errOut)
	}
	if listing := gitRun(t, bare, "ls-tree", "-r", "--name-only", "tend/reports", "feeds"); listing != "feeds/debian.gz\nfeeds/feeds.json\nfeeds/kev.gz" {
		t.Fatalf("feeds/ on the reports branch:\n%s", listing)
	}
	if errOut := commit(); !strings.Contains(errOut, "unchanged; no commit") {
		t.Errorf("a second report --commit with the same feeds committed:\n%s", errOut)
	}

	clone := filepath.Join(t.TempDir(), "clone")
	gitRun(t, "", "clone", "-q", bare, clone)
	code, out, errOut := tend(t, "plan", "-C", clone, "--inventory", "git:origin/tend/reports")
	for _, want := range []string{
		"CVE-2023-4863 (KEV due 2023-10-04)",
		"; kev dated 2025-08-25 (fetched ", ", from the reports branch origin/tend/reports)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan in the clone lacks %q\nexit %d\n%s%s", want, code, out, errOut)
		}
	}

	// The kev feed leaves the configuration: its copy leaves the branch.
	if err := os.WriteFile(feedsFile, []byte(debian), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, conf, "commit", "-q", "-am", "no kev feed")
	if errOut := commit(); !strings.Contains(errOut, "Committed the reports") {
		t.Fatalf("report --commit without the kev feed:\n%s", errOut)
	}
	if listing := gitRun(t, bare, "ls-tree", "-r", "--name-only", "tend/reports", "feeds"); listing != "feeds/debian.gz\nfeeds/feeds.json" {
		t.Errorf("feeds/ after the kev feed left:\n%s", listing)
	}
}
