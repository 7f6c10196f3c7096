package daemon

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/rollout"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestHealthCheckRollsBack: an update whose new version breaks the health
// check is rolled back by tend serve; the host is back at the old version,
// report.json says rolled_back (and why), the host counts as failed, and
// past max_failures the rollout halts.
func TestHealthCheckRollsBack(t *testing.T) {
	good := apttest.Pkg{Name: "app", Version: "1.0-1", Script: "exit 0"}
	bad := apttest.Pkg{Name: "app", Version: "2.0-1", Script: "echo app 2.0 is broken >&2; exit 1"}
	l := newLab(t, apttest.Options{Installed: []apttest.Pkg{good}, Stable: []apttest.Pkg{good}, Security: []apttest.Pkg{bad}})
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, securityOnly+`
  rollback = true
  rollout {
    ring "all" {
      percent = 100
    }
    max_failures = 0
  }
  health_check "command" {
    argv = ["`+filepath.Join(l.root.Dir, "usr/bin/app")+`"]
  }`))
	halting := l.commit("rollback")
	d := l.daemon()
	out := l.reconcile(d)
	if out.Apply == nil || out.Apply.Failed() != 1 || len(out.Apply.Halted) != 1 {
		t.Fatalf("apply: %+v", out.Apply)
	}
	if rb := out.Apply.Hosts[0].Rollback; rb == nil || rb.RolledBack() != 1 || rb.Health != nil {
		t.Fatalf("rollback: %+v", rb)
	}
	if got := l.root.Installed(t)["app"]; got != "1.0-1" {
		t.Fatalf("app = %s after the rollback, want 1.0-1", got)
	}
	var rep model.Report
	l.reportsJSON("hosts/lab/report.json", &rep)
	got := map[string]model.ActionResult{}
	for _, r := range rep.LastApply.Results {
		got[r.ActionID] = r
	}
	if r := got["lab/apt/app"]; r.Status != model.StatusRolledBack || !strings.Contains(r.Message, "app 2.0-1 was installed, then rolled back to 1.0-1") {
		t.Errorf("app's result: %+v", r)
	}
	if r := got["lab/apt/health_check"]; r.Status != model.StatusFailed || !strings.Contains(r.Message, "app 2.0 is broken") ||
		!strings.Contains(r.Message, "rolled back 1 of 1 changed packages; healthy again afterwards") {
		t.Errorf("health check's result: %+v", r)
	}
	if len(rep.Items) != 1 || rep.Items[0].State != model.ItemFailed || rep.Items[0].Installed != "1.0-1" {
		t.Errorf("items: %+v", rep.Items)
	}
	var s rollout.State
	l.reportsJSON("rollouts/security_only.json", &s)
	if !s.HaltedNow(halting) {
		t.Errorf("rollout not halted: %+v", s)
	}
	if !strings.Contains(l.logs.String(), "rolled back 1 of 1") {
		t.Errorf("logs do not tell of the rollback:\n%s", l.logs)
	}
}
