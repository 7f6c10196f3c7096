package daemon

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/rollout"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

var securityLab = apttest.Options{
	Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}, {Name: "tzdata", Version: "2025a-1"}},
	Stable:    []apttest.Pkg{{Name: "tzdata", Version: "2025b-1"}},
	Security:  []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2"}},
}

// TestOnceAppliesAndReports is the acceptance scenario: one reconcile
// scans, applies the security update and commits the contract layout; a
// second one changes nothing and commits nothing.
func TestOnceAppliesAndReports(t *testing.T) {
	l := newLab(t, securityLab)
	cfgCommit := git(t, l.work, "rev-parse", "HEAD")
	d := l.daemon()
	out := l.reconcile(d)

	if got := l.root.Installed(t); got["openssl"] != "3.0.20-2" || got["tzdata"] != "2025a-1" {
		t.Fatalf("installed after the reconcile: %v; want only the security update", got)
	}
	if out.Apply == nil || out.Apply.Failed() != 0 || !out.Committed || out.State != StateOK || out.Applied != cfgCommit {
		t.Fatalf("outcome: %+v", out)
	}
	for _, f := range []string{"SUMMARY.md", "summary.json", "hosts/lab/inventory.json", "hosts/lab/report.json",
		"rollouts/security_only.json", "status.json"} {
		l.reports(f)
	}
	var rep model.Report
	l.reportsJSON("hosts/lab/report.json", &rep)
	if rep.State != model.HostCompliant || rep.ConfigCommit != cfgCommit || rep.LastApply == nil ||
		len(rep.LastApply.Results) != 1 || rep.LastApply.Results[0].ActionID != "lab/apt/openssl" ||
		rep.LastApply.Results[0].Status != model.StatusSucceeded {
		t.Fatalf("report.json: %+v", rep)
	}
	// results.json records this apply for tend history: the planned
	// action, its policy and the configuration commit.
	var res model.Results
	l.reportsJSON("results.json", &res)
	if res.ConfigCommit != cfgCommit || len(res.Applies) != 1 || res.Applies[0].Host != "lab" ||
		len(res.Applies[0].Results) != 1 || res.Applies[0].Results[0] != (model.AppliedAction{
		ActionID: "lab/apt/openssl", Provider: "apt", Package: "openssl", Type: model.ActionUpgrade,
		From: "3.0.20-1", To: "3.0.20-2", Policy: "security_only", Status: model.StatusSucceeded, Message: "openssl 3.0.20-2 installed"}) {
		t.Errorf("results.json: %+v", res)
	}
	var sum model.FleetSummary
	l.reportsJSON("summary.json", &sum)
	if sum.Hosts != 1 || sum.Compliant != 1 || sum.CompliancePercent != 100 {
		t.Fatalf("summary.json: %+v", sum)
	}
	if !strings.Contains(l.reports("SUMMARY.md"), "100") {
		t.Errorf("SUMMARY.md lacks the compliance:\n%s", l.reports("SUMMARY.md"))
	}
	var st StatusFileJSON
	l.reportsJSON("status.json", &st)
	if st.State != StateOK || st.Applied != cfgCommit || st.Head != cfgCommit {
		t.Errorf("status.json: %+v", st)
	}
	msg := git(t, l.bare, "log", "-1", "--format=%B", l.reportsBranch)
	if want := "tend: " + cfgCommit[:7]; !strings.HasPrefix(msg, want) ||
		!strings.Contains(msg, "1 hosts, 1 changed, 0 failed") || !strings.Contains(msg, "Tend-Config-Commit: "+cfgCommit) {
		t.Errorf("commit message:\n%s", msg)
	}
	if ok, why := d.Ready(); !ok {
		t.Errorf("not ready: %s", why)
	}

	// Idempotent: nothing new, no commit.
	head := l.reportsHead()
	out = l.reconcile(d)
	if out.Apply != nil || out.Committed || l.reportsHead() != head {
		t.Fatalf("second reconcile: apply %v, committed %v, head %s → %s", out.Apply, out.Committed, head, l.reportsHead())
	}
	// Also after a restart (fresh process state, same state dir).
	d.Close()
	d2 := l.daemon()
	if out := l.reconcile(d2); out.Committed || l.reportsHead() != head {
		t.Fatalf("reconcile after restart committed")
	}
}

// TestBrokenConfigKeepsLastGood: a commit with a syntax error is reported
// with its diagnostics and not applied; the last good configuration keeps
// governing, and fixing it makes the daemon ready again.
func TestBrokenConfigKeepsLastGood(t *testing.T) {
	l := newLab(t, securityLab)
	good := git(t, l.work, "rev-parse", "HEAD")
	d := l.daemon()
	l.reconcile(d)

	// Broken: the approve block lost its closing brace, and the same
	// commit would approve every update if it were applied.
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, `  approve {
    classification = ["security", "updates"]
`))
	bad := l.commit("broken")
	// A new security update arrives meanwhile: the last good config still
	// applies it.
	l.root.Publish(t, apttest.Security, apttest.Pkg{Name: "openssl", Version: "3.0.20-3"})
	l.root.Update(t)
	out := l.reconcile(d)
	if out.State != StateInvalid || out.Head != bad || out.Applied != good {
		t.Fatalf("outcome: state %s head %s applied %s", out.State, out.Head, out.Applied)
	}
	if got := l.root.Installed(t); got["openssl"] != "3.0.20-3" || got["tzdata"] != "2025a-1" {
		t.Fatalf("installed: %v; want the last good config applied (security only)", got)
	}
	ok, why := d.Ready()
	if ok || !strings.Contains(why, "lab.tend.hcl:") || !strings.Contains(why, "stays in force") {
		t.Fatalf("Ready() = %v, %q", ok, why)
	}
	var st StatusFileJSON
	l.reportsJSON("status.json", &st)
	if st.State != StateInvalid || st.Head != bad || st.Applied != good || len(st.Diagnostics) == 0 ||
		!strings.HasPrefix(st.Diagnostics[0], "lab.tend.hcl:") {
		t.Fatalf("status.json: %+v", st)
	}
	if md := l.reports("SUMMARY.md"); !strings.Contains(md, "was not applied") {
		t.Errorf("SUMMARY.md has no banner:\n%s", md)
	}

	// A restart with the broken head still has the last good config.
	d.Close()
	d = l.daemon()
	if out := l.reconcile(d); out.Applied != good || out.State != StateInvalid {
		t.Fatalf("after restart: %+v", out)
	}

	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, securityOnly))
	fixed := l.commit("fixed")
	if out := l.reconcile(d); out.State != StateOK || out.Applied != fixed {
		t.Fatalf("after the fix: %+v", out)
	}
	if ok, why := d.Ready(); !ok {
		t.Fatalf("not ready after the fix: %s", why)
	}
}

// TestFirstBrokenConfig: with no good configuration ever, the reconcile
// fails, applies nothing and says why on the reports branch.
func TestFirstBrokenConfig(t *testing.T) {
	l := newLab(t, securityLab)
	l.write("patching/lab.tend.hcl", "policy \"x\" {\n")
	l.commit("broken from the start")
	d := l.daemon()
	_, err := d.Reconcile(context.Background(), plumbing.ZeroHash)
	if err == nil || !strings.Contains(err.Error(), "no configuration has loaded yet") {
		t.Fatalf("err = %v", err)
	}
	if got := l.root.Installed(t)["openssl"]; got != "3.0.20-1" {
		t.Fatalf("openssl = %s: something was applied", got)
	}
	var st StatusFileJSON
	l.reportsJSON("status.json", &st)
	if st.State != StateInvalid || st.Applied != "" {
		t.Fatalf("status.json: %+v", st)
	}
}

// TestSecondWriterSurvives: another writer's commit on the reports branch
// is kept, and the daemon's commit goes on top of it (never forced).
func TestSecondWriterSurvives(t *testing.T) {
	l := newLab(t, securityLab)
	d := l.daemon()
	l.reconcile(d)
	first := l.reportsHead()

	other := t.TempDir()
	git(t, other, "clone", "-q", "-b", l.reportsBranch, l.bare, ".")
	l.writeIn(other, "hosts/elsewhere/report.json", `{"format_version": "1", "host": "elsewhere"}`+"\n")
	git(t, other, "add", "-A")
	git(t, other, "commit", "-q", "-m", "another tend instance")
	git(t, other, "push", "-q", "origin", l.reportsBranch)
	theirs := git(t, other, "rev-parse", "HEAD")

	// Something new to report.
	l.root.Publish(t, apttest.Security, apttest.Pkg{Name: "openssl", Version: "3.0.20-3"})
	l.root.Update(t)
	if out := l.reconcile(d); !out.Committed {
		t.Fatal("nothing committed")
	}
	if !strings.Contains(l.reports("hosts/elsewhere/report.json"), "elsewhere") {
		t.Error("the other writer's report is gone")
	}
	git(t, l.bare, "merge-base", "--is-ancestor", theirs, l.reportsBranch)
	git(t, l.bare, "merge-base", "--is-ancestor", first, l.reportsBranch)
}

func (l *lab) writeIn(dir, name, content string) {
	l.t.Helper()
	saved := l.work
	l.work = dir
	defer func() { l.work = saved }()
	l.write(name, content)
}

// TestRolloutState: ring progress is recorded and read back; an HTTP
// health check that answers 200 lets the host pass.
func TestRolloutState(t *testing.T) {
	l := newLab(t, securityLab)
	checked := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case checked <- struct{}{}:
		default:
		}
	}))
	defer srv.Close()
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, securityOnly+`
  rollout {
    ring "canary" {
      targets = [host.lab]
      soak    = "1h"
    }
  }
  health_check "http" {
    url = "`+srv.URL+`/healthz"
  }`))
	l.commit("rings")
	d := l.daemon()
	if out := l.reconcile(d); out.Apply == nil || out.Apply.Failed() != 0 {
		t.Fatalf("apply: %+v", out.Apply)
	}
	select {
	case <-checked:
	default:
		t.Fatal("the HTTP health check was not made")
	}
	var s rollout.State
	l.reportsJSON("rollouts/security_only.json", &s)
	if len(s.Rings) != 1 || s.Rings[0].Name != "canary" || len(s.Rings[0].Updates) != 1 ||
		s.Rings[0].Updates[0].Package != "openssl" || s.Rings[0].Updates[0].DoneAt == nil || s.Halted != nil {
		t.Fatalf("rollout state: %+v", s)
	}
}

// TestHealthCheckHaltsRollout: a failing health check fails the host; past
// max_failures the policy's rollout halts, is reported, and stays halted
// (nothing more is applied) until a new configuration commit.
func TestHealthCheckHaltsRollout(t *testing.T) {
	l := newLab(t, securityLab)
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, securityOnly+`
  rollout {
    ring "all" {
      percent = 100
    }
    max_failures = 0
  }
  health_check "command" {
    argv = ["sh", "-c", "echo service down >&2; exit 1"]
  }`))
	halting := l.commit("health check")
	d := l.daemon()
	out := l.reconcile(d)
	if out.Apply == nil || len(out.Apply.Halted) != 1 || out.Apply.Hosts[0].Health == nil {
		t.Fatalf("apply: %+v", out.Apply)
	}
	var s rollout.State
	l.reportsJSON("rollouts/security_only.json", &s)
	if !s.HaltedNow(halting) || len(s.Halted.FailedHosts) != 1 {
		t.Fatalf("rollout state: %+v", s.Halted)
	}
	var sum model.FleetSummary
	l.reportsJSON("summary.json", &sum)
	if len(sum.HaltedRollouts) != 1 || !strings.Contains(l.reports("SUMMARY.md"), "Halted rollouts") {
		t.Fatalf("summary: %+v\n%s", sum, l.reports("SUMMARY.md"))
	}
	var rep model.Report
	l.reportsJSON("hosts/lab/report.json", &rep)
	if !strings.Contains(l.reports("hosts/lab/report.json"), "service down") {
		t.Errorf("report.json does not carry the health check's failure:\n%s", l.reports("hosts/lab/report.json"))
	}

	// Halted: a new update is not applied under the same commit.
	l.root.Publish(t, apttest.Security, apttest.Pkg{Name: "openssl", Version: "3.0.20-3"})
	l.root.Update(t)
	if out := l.reconcile(d); out.Apply != nil {
		t.Fatalf("a halted rollout applied: %+v", out.Apply.Hosts)
	}
	// A new commit (the check fixed) lifts the halt.
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, securityOnly))
	l.commit("fix the health check")
	if out := l.reconcile(d); out.Apply == nil || out.Apply.Failed() != 0 {
		t.Fatalf("after the fix: %+v", out.Apply)
	}
	if got := l.root.Installed(t)["openssl"]; got != "3.0.20-3" {
		t.Fatalf("openssl = %s", got)
	}
}

// TestRejectedPushKeepsApplies: when the reports cannot be pushed, the
// apply's results are not lost: the next reconcile reports them.
func TestRejectedPushKeepsApplies(t *testing.T) {
	l := newLab(t, securityLab)
	hook := filepath.Join(l.bare, "hooks", "pre-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'reports branch is frozen' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	d := l.daemon()
	out, err := d.Reconcile(context.Background(), plumbing.ZeroHash)
	if err == nil || out.Apply == nil || out.Committed {
		t.Fatalf("reconcile with a rejected push: err %v, outcome %+v", err, out)
	}
	if ok, why := d.Ready(); ok || !strings.Contains(why, "report") {
		t.Errorf("Ready() = %v, %q", ok, why)
	}
	if err := os.Remove(hook); err != nil {
		t.Fatal(err)
	}
	if out := l.reconcile(d); !out.Committed || out.Apply != nil {
		t.Fatalf("next reconcile: %+v", out)
	}
	var rep model.Report
	l.reportsJSON("hosts/lab/report.json", &rep)
	if rep.LastApply == nil || len(rep.LastApply.Results) != 1 || rep.LastApply.Results[0].Status != model.StatusSucceeded {
		t.Fatalf("the first reconcile's apply is lost: %+v", rep.LastApply)
	}
}

// TestCommitWithoutLockFile: a configuration whose lock file does not cover
// its providers is rejected like a broken one, saying to run tend init.
func TestCommitWithoutLockFile(t *testing.T) {
	l := newLab(t, securityLab)
	good := git(t, l.work, "rev-parse", "HEAD")
	d := l.daemon()
	l.reconcile(d)
	git(t, l.work, "rm", "-q", "patching/.tend.lock.hcl")
	bad := l.commit("lock file lost")
	out := l.reconcile(d)
	if out.State != StateInvalid || out.Head != bad || out.Applied != good {
		t.Fatalf("outcome: %+v", out)
	}
	var st StatusFileJSON
	l.reportsJSON("status.json", &st)
	if !strings.Contains(st.Problem, `provider "apt" is not in .tend.lock.hcl: run tend init`) {
		t.Fatalf("status.json problem: %q", st.Problem)
	}
}
