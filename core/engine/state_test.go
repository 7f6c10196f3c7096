package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/internal/testfile"
	"github.com/tend-sh/tend/core/localstate"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/rollout"
)

const delayConfig = `
host "web_1" {
  transport = "local"
}
policy "p" {
  provider = "apt"
  targets  = [host.web_1]
  approve {
    after = "1h"
  }
}
`

// keptSnapshot writes the snapshot a live scan keeps in
// CONFIG/.tend/inventory: curl 7.88.1-2 offered, without a release date.
func keptSnapshot(t *testing.T, dir string, scanned time.Time) {
	t.Helper()
	testfile.Write(t, filepath.Join(dir, ".tend", "inventory", "web_1", "inventory.json"), fmt.Sprintf(`{"format_version": "1", "host": "web_1", "scanned_at": %q,
 "providers": {"apt": {"installed": [{"id": "curl", "name": "curl", "version": "7.88.1-1", "arch": "amd64"}],
   "available": [{"id": "curl", "name": "curl", "from": "7.88.1-1", "to": "7.88.1-2"}]}}}`, scanned.Format(time.RFC3339)))
}

// TestFirstSeenLasts: each plan from the kept snapshots records first-seen
// times in .tend/state, so an approval delay counts from the first scan
// that saw the update, not from the latest; an update no longer offered is
// forgotten.
func TestFirstSeenLasts(t *testing.T) {
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), delayConfig)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	plan := func(scanned, now time.Time) *model.HostPlan {
		t.Helper()
		keptSnapshot(t, dir, scanned)
		res, err := Plan(context.Background(), PlanOptions{ConfigDir: dir, Inventory: filepath.Join(dir, ".tend", "inventory"), Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return &res.Saved.Plan.Hosts[0]
	}
	for i, scanned := range []time.Time{t0, t0.Add(30 * time.Minute), t0.Add(50 * time.Minute)} {
		h := plan(scanned, scanned)
		if len(h.Deferred) != 1 || !h.Deferred[0].Until.Equal(t0.Add(time.Hour)) {
			t.Fatalf("plan %d: deferred %+v, want curl until %v", i, h.Deferred, t0.Add(time.Hour))
		}
	}
	if h := plan(t0.Add(time.Hour), t0.Add(time.Hour)); len(h.Actions) != 1 || h.Actions[0].Package != "curl" {
		t.Fatalf("an hour after first seen: actions %+v, want the curl upgrade", h.Actions)
	}
	seen, err := localstate.ReadFirstSeen(dir)
	if err != nil || len(seen) != 1 || !seen[0].At.Equal(t0) {
		t.Fatalf("recorded %+v, %v; want curl first seen at %v", seen, err, t0)
	}
	// Installed: no longer offered, forgotten.
	testfile.Write(t, filepath.Join(dir, ".tend", "inventory", "web_1", "inventory.json"),
		`{"format_version": "1", "host": "web_1", "scanned_at": "2026-11-23T12:00:00Z", "providers": {"apt": {}}}`)
	if _, err := Plan(context.Background(), PlanOptions{ConfigDir: dir, Inventory: filepath.Join(dir, ".tend", "inventory"), Now: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if seen, err := localstate.ReadFirstSeen(dir); err != nil || len(seen) != 0 {
		t.Fatalf("after the update was installed: recorded %+v, %v; want none", seen, err)
	}
}

// TestFirstSeenOtherSnapshots: snapshots from elsewhere are planned with
// the recorded first-seen times, but record nothing.
func TestFirstSeenOtherSnapshots(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), delayConfig)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	keptSnapshot(t, other, t0.Add(50*time.Minute))
	recorded := []rollout.Seen{{Host: "web_1", Provider: "apt", Package: "curl", To: "7.88.1-2", At: t0}}
	if err := localstate.WriteFirstSeen(dir, recorded, t0); err != nil {
		t.Fatal(err)
	}
	res, err := Plan(context.Background(), PlanOptions{ConfigDir: dir, Inventory: filepath.Join(other, ".tend", "inventory"), Now: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if h := res.Saved.Plan.Hosts[0]; len(h.Actions) != 1 {
		t.Fatalf("actions %+v, want curl due an hour after the recorded first-seen", h.Actions)
	}
	seen, err := localstate.ReadFirstSeen(dir)
	if err != nil || len(seen) != 1 || !seen[0].At.Equal(t0) {
		t.Fatalf("recorded %+v, %v; want the file unchanged", seen, err)
	}
}

// TestFirstSeenCorrupt: a state file that cannot be read fails the plan
// before anything is scanned, naming it; it is not reset.
func TestFirstSeenCorrupt(t *testing.T) {
	dir := t.TempDir()
	testfile.Write(t, filepath.Join(dir, "main.tend.hcl"), delayConfig)
	keptSnapshot(t, dir, time.Now())
	path := localstate.FirstSeenPath(dir)
	testfile.Write(t, path, `{"format_version": "1", "first_seen": [`)
	_, err := Plan(context.Background(), PlanOptions{ConfigDir: dir, Inventory: "live", Now: time.Now()})
	if !errors.Is(err, localstate.ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want ErrCorrupt naming %s", err, path)
	}
	if b, _ := os.ReadFile(path); string(b) != `{"format_version": "1", "first_seen": [` {
		t.Fatalf("the broken file was rewritten: %s", b)
	}
}
