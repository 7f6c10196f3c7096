package daemon

import (
	"sync"
	"testing"
	"time"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func scannedAt(t *testing.T, out *Outcome) time.Time {
	t.Helper()
	for _, h := range out.Plan.Hosts {
		if h.Host == "lab" && h.ScannedAt != nil {
			return h.ScannedAt.UTC()
		}
	}
	t.Fatalf("no scan of lab in the plan: %+v", out.Plan.Hosts)
	return time.Time{}
}

// TestScanInterval: within the scan interval a reconcile plans from the
// last scan and does not scan the host again; after it, it does. A new
// update that arrives meanwhile is applied once the host is scanned again.
func TestScanInterval(t *testing.T) {
	l := newLab(t, securityLab)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	c := &clock{t: t0}
	d := l.daemon(func(o *Options) { o.Now, o.ScanInterval, o.ScanConcurrency = c.now, time.Hour, 2 })
	out := l.reconcile(d)
	if l.root.Installed(t)["openssl"] != "3.0.20-2" || out.Apply == nil {
		t.Fatalf("first reconcile did not apply: %+v", out)
	}

	l.root.Publish(t, apttest.Security, apttest.Pkg{Name: "openssl", Version: "3.0.20-3"})
	l.root.Update(t)
	c.set(t0.Add(30 * time.Minute))
	out = l.reconcile(d)
	if got := scannedAt(t, out); !got.Equal(t0) || out.Apply != nil || l.root.Installed(t)["openssl"] != "3.0.20-2" {
		t.Fatalf("within the interval: scanned at %s (want %s, the first scan), apply %v", got, t0, out.Apply)
	}

	c.set(t0.Add(61 * time.Minute))
	out = l.reconcile(d)
	if got := scannedAt(t, out); !got.Equal(t0.Add(61*time.Minute)) || out.Apply == nil || l.root.Installed(t)["openssl"] != "3.0.20-3" {
		t.Fatalf("after the interval: scanned at %s, apply %v, openssl %s", got, out.Apply, l.root.Installed(t)["openssl"])
	}
}

// TestScanBeforeApply: a window opens while the host's last scan is still
// within the interval; the host is scanned again before the apply, so
// what is applied is planned from a scan of this reconcile.
func TestScanBeforeApply(t *testing.T) {
	l := newLab(t, securityLab)
	l.write("patching/window.tend.hcl", "window \"sat\" {\n  schedule = \"0 22 * * SAT\"\n  duration = \"2h\"\n}\n")
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, "  window = window.sat\n  approve {\n    classification = [\"security\"]\n  }\n"))
	l.commit("windowed")
	t0 := time.Date(2026, 11, 28, 21, 50, 0, 0, time.UTC)
	c := &clock{t: t0}
	d := l.daemon(func(o *Options) { o.Now, o.ScanInterval = c.now, time.Hour })
	if out := l.reconcile(d); out.Apply != nil {
		t.Fatalf("applied with the window closed: %+v", out.Apply)
	}
	c.set(t0.Add(20 * time.Minute))
	out := l.reconcile(d)
	if out.Apply == nil || out.Apply.Failed() != 0 || l.root.Installed(t)["openssl"] != "3.0.20-2" {
		t.Fatalf("window open: apply %+v", out.Apply)
	}
	if got := scannedAt(t, out); !got.Equal(t0.Add(20 * time.Minute)) {
		t.Errorf("planned from the scan at %s; want one made in this reconcile", got)
	}
}

// TestScanOnly: a scan-only daemon scans, plans and reports, and applies
// nothing.
func TestScanOnly(t *testing.T) {
	l := newLab(t, securityLab)
	d := l.daemon(func(o *Options) { o.ScanOnly = true })
	out := l.reconcile(d)
	if out.Apply != nil || l.root.Installed(t)["openssl"] != "3.0.20-1" || !out.Committed {
		t.Fatalf("scan-only reconcile: apply %v, openssl %s, committed %v", out.Apply, l.root.Installed(t)["openssl"], out.Committed)
	}
	var rep model.Report
	l.reportsJSON("hosts/lab/report.json", &rep)
	if rep.State != model.HostNonCompliant {
		t.Errorf("report state = %s, want non_compliant (openssl missing)", rep.State)
	}
}
