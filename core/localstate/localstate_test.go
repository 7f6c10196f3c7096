package localstate

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/internal/testfile"
	"github.com/tend-sh/tend/core/lastapply"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/rollout"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func TestFirstSeenRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if seen, err := ReadFirstSeen(dir); err != nil || seen != nil {
		t.Fatalf("no file: %v, %v; want none and no error", seen, err)
	}
	want := []rollout.Seen{{Host: "web_1", Provider: "apt", Package: "curl", To: "7.88.1-2", At: t0}}
	if err := WriteFirstSeen(dir, want, t0); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFirstSeen(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("round trip (-want +got):\n%s", d)
	}
	// Nothing to keep is an empty list, not null.
	if err := WriteFirstSeen(dir, nil, t0); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(FirstSeenPath(dir)); !strings.Contains(string(b), `"first_seen": []`) {
		t.Fatalf("empty state:\n%s", b)
	}
}

// TestUnusable: a file that is not JSON or has another format_version is
// an error naming it and saying what deleting it does.
func TestUnusable(t *testing.T) {
	for name, body := range map[string]string{
		"truncated":  `{"format_version": "1", "first_seen": [`,
		"version":    `{"format_version": "2", "first_seen": []}`,
		"no version": `{"first_seen": []}`,
		"wrong type": `{"format_version": "1", "first_seen": {}}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			testfile.Write(t, FirstSeenPath(dir), body)
			_, err := ReadFirstSeen(dir)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), FirstSeenPath(dir)) || !strings.Contains(err.Error(), "restarts the approval delays") {
				t.Fatalf("err = %v", err)
			}
		})
	}
	dir := t.TempDir()
	testfile.Write(t, LastApplyPath(dir, "web_1"), `{"format_version": "1", "last_apply": 7}`)
	if _, err := ReadLastApplies(dir); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), LastApplyPath(dir, "web_1")) {
		t.Fatalf("last apply: err = %v", err)
	}
}

// TestWriteLastApplies: each host of an apply gets its last apply
// replaced, in the shape tend serve records; other hosts keep theirs.
func TestWriteLastApplies(t *testing.T) {
	dir := t.TempDir()
	old := &model.LastApply{StartedAt: t0, FinishedAt: t0, Results: []model.ActionResult{{ActionID: "db_1/apt/curl", Status: model.StatusSucceeded}}}
	if err := WriteLastApply(dir, "db_1", old); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	rep := &apply.Report{Hosts: []apply.HostResult{{
		Host: "web_1", Provider: "apt", StartedAt: later, FinishedAt: later.Add(time.Minute),
		Results: []model.ActionResult{{ActionID: "web_1/apt/openssl", Status: model.StatusSucceeded}, {ActionID: "web_1/apt/curl", Status: model.StatusFailed, Message: "dpkg error"}},
	}}}
	set := lastapply.New(nil)
	set.AddRun(rep)
	if err := WriteLastApplies(dir, set.Hosts); err != nil {
		t.Fatal(err)
	}
	got, err := ReadLastApplies(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*model.LastApply{
		"db_1": old,
		"web_1": {StartedAt: later, FinishedAt: later.Add(time.Minute), Results: []model.ActionResult{
			{ActionID: "web_1/apt/curl", Status: model.StatusFailed, Message: "dpkg error"},
			{ActionID: "web_1/apt/openssl", Status: model.StatusSucceeded},
		}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("last applies (-want +got):\n%s", d)
	}
	if _, err := os.Stat(filepath.Join(dir, Dir, "hosts", "web_1", lastApplyName)); err != nil {
		t.Fatal(err)
	}
}

// TestUpdateFirstSeenConcurrently: runs that record first-seen times at
// the same time take the lock in turn; every one's times are kept.
func TestUpdateFirstSeenConcurrently(t *testing.T) {
	dir := t.TempDir()
	const runs = 16
	var wg sync.WaitGroup
	errs := make(chan error, runs)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- UpdateFirstSeen(dir, t0, func(recorded []rollout.Seen) []rollout.Seen {
				return append(recorded, rollout.Seen{Host: fmt.Sprintf("web%02d", i), Provider: "apt", Package: "curl", To: "8.0", At: t0})
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen, err := ReadFirstSeen(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != runs {
		t.Fatalf("%d of %d runs' first-seen times kept: %+v", len(seen), runs, seen)
	}
}
