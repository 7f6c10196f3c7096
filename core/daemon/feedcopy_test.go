package daemon

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/feeds/feedstest"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestFeedCopiesOnlyWhenChanged: each commit of reports carries the feed
// manifest, but a feed's copy is committed again only when the feed
// changed: a new tracker is copied, alone (the KEV catalog answered 304);
// a refresh that changes nothing commits nothing.
func TestFeedCopiesOnlyWhenChanged(t *testing.T) {
	srv := feedstest.Start(t, feedstest.Fixtures(t, filepath.Join("..", "feeds", "testdata"),
		map[string]string{"/tracker.json": "debian-tracker.json", "/kev.json": "kev.json"}))

	l := newLab(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "libwebp7", Version: "1.2.4-0.2", Source: "libwebp"}},
		Security:  []apttest.Pkg{{Name: "libwebp7", Version: "1.2.4-0.2+deb12u1", Source: "libwebp"}},
	})
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, securityOnly)+`
feed "debian" {
  type    = "debian-tracker"
  url     = "`+srv.URL+`/tracker.json"
  refresh = "1h"
}
feed "kev" {
  type    = "kev"
  url     = "`+srv.URL+`/kev.json"
  refresh = "1h"
}
`)
	l.commit("url feeds")
	var clockMu sync.Mutex
	now := time.Now().UTC()
	advance := func(d time.Duration) {
		clockMu.Lock()
		defer clockMu.Unlock()
		now = now.Add(d)
	}
	d := l.daemon(func(o *Options) {
		o.FeedClient, o.ScanOnly = srv.Client(), true
		o.Now = func() time.Time {
			clockMu.Lock()
			defer clockMu.Unlock()
			return now
		}
	})
	blob := func(path string) string { return git(t, l.bare, "rev-parse", l.reportsBranch+":"+path) }

	l.reconcile(d)
	tracker1, kev1 := blob("feeds/debian.gz"), blob("feeds/kev.gz")
	if m := l.reports("feeds/feeds.json"); !strings.Contains(m, `"name": "debian"`) || !strings.Contains(m, `"name": "kev"`) {
		t.Fatalf("feeds/feeds.json:\n%s", m)
	}
	commits := git(t, l.bare, "rev-list", "--count", l.reportsBranch)

	// A new tracker (one more fixed CVE) after the refresh interval.
	srv.Edit("/tracker.json", func(b []byte) []byte {
		return bytes.Replace(b, []byte(`{`), []byte(`{"zlib": {"CVE-2022-37434": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1:1.2.13.dfsg-1"}}}},`), 1)
	})
	advance(2 * time.Hour)
	l.reconcile(d)
	if requests := srv.Requests(); requests["/tracker.json"] != 2 || requests["/kev.json"] != 2 {
		t.Errorf("requests after the second reconcile: %v", requests)
	}
	if blob("feeds/debian.gz") == tracker1 || blob("feeds/kev.gz") != kev1 {
		t.Errorf("second reconcile: tracker copy %s (was %s), KEV copy %s (was %s); want the tracker's alone rewritten",
			blob("feeds/debian.gz"), tracker1, blob("feeds/kev.gz"), kev1)
	}
	changed := git(t, l.bare, "diff", "--name-only", l.reportsBranch+"~1", l.reportsBranch, "--", "feeds")
	if changed != "feeds/debian.gz\nfeeds/feeds.json" {
		t.Errorf("feeds files the second commit changed:\n%s", changed)
	}
	if got := git(t, l.bare, "rev-list", "--count", l.reportsBranch); got == commits {
		t.Error("the new tracker was not committed")
	}

	// Both answer 304 now: nothing to commit.
	head := l.reportsHead()
	advance(2 * time.Hour)
	l.reconcile(d)
	if requests := srv.Requests(); requests["/tracker.json"] != 3 || requests["/kev.json"] != 3 {
		t.Errorf("requests after the third reconcile: %v", requests)
	}
	if got := l.reportsHead(); got != head {
		t.Errorf("a reconcile with unchanged feeds committed %s:\n%s", got, git(t, l.bare, "show", "--stat", got))
	}

	// The state directory's feeds are lost and the server is down: the
	// daemon matches with the copies it committed, and keeps them.
	if err := os.RemoveAll(filepath.Join(l.state, "feeds")); err != nil {
		t.Fatal(err)
	}
	srv.Clear()
	advance(2 * time.Hour)
	out := l.reconcile(d)
	if a := out.Plan.Hosts[0].Actions; len(a) != 1 || len(a[0].Vulns) != 1 || a[0].Vulns[0].ID != "CVE-2023-4863" || !a[0].Vulns[0].KEV {
		t.Errorf("planned from the branch's copies: %+v", a)
	}
	if !strings.Contains(l.logs.String(), "matching with the copy on the reports branch") {
		t.Errorf("logs:\n%s", l.logs)
	}
	if got := l.reportsHead(); got != head {
		t.Errorf("a reconcile without a feed cache changed the branch: %s", git(t, l.bare, "show", "--stat", got))
	}
}
