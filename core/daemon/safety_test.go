package daemon

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/tend-sh/tend/core/gitsource"
	"github.com/tend-sh/tend/core/journal"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// TestSecondDaemonRefused: a second daemon on a running one's state dir is
// refused before it changes anything there: the first keeps following its
// own repository.
func TestSecondDaemonRefused(t *testing.T) {
	l := newLab(t, securityLab)
	d := l.daemon()
	l.reconcile(d)
	other := filepath.Join(t.TempDir(), "other.git")
	git(t, "", "init", "-q", "--bare", "-b", "main", other)

	_, err := New(Options{Git: gitsource.Options{URL: "file://" + other, Path: "patching"}, StateDir: l.state, Log: l.log})
	if !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("second daemon: %v, want ErrLocked", err)
	}
	if got := git(t, filepath.Join(l.state, "repo.git"), "config", "remote.origin.url"); got != "file://"+l.bare {
		t.Fatalf("the second daemon changed the first one's origin to %s", got)
	}
	l.write("patching/README.md", "still ours\n")
	next := l.commit("next")
	if out := l.reconcile(d); out.Head != next {
		t.Fatalf("the first daemon now follows %s, want %s", out.Head, next)
	}
}

// TestStateDirPrivate: the state dir and the clone in it are created 0700
// before anything is written into them.
func TestStateDirPrivate(t *testing.T) {
	l := newLab(t, securityLab)
	l.state = filepath.Join(t.TempDir(), "var", "lib", "tend")
	l.reconcile(l.daemon())
	for _, dir := range []string{l.state, filepath.Join(l.state, "repo.git"), filepath.Join(l.state, "journal"), filepath.Join(l.state, "config")} {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want no group or other access", dir, st.Mode().Perm())
		}
	}
}

// healthFails is a policy whose health check always fails.
const healthFails = securityOnly + `
  health_check "command" {
    argv = ["sh", "-c", "echo service down >&2; exit 1"]
  }`

// TestOnceRejectedPushKeepsFailedApply: in cron mode (a new process per
// reconcile), results whose reports could not be pushed are still
// reported by the next run, failures included.
func TestOnceRejectedPushKeepsFailedApply(t *testing.T) {
	l := newLab(t, securityLab)
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, healthFails))
	l.commit("health check")
	hook := filepath.Join(l.bare, "hooks", "pre-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho 'reports branch is frozen' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	d := l.daemon()
	if out, err := d.Reconcile(context.Background(), plumbing.ZeroHash); err == nil || out.Apply == nil {
		t.Fatalf("first run: err %v, outcome %+v", err, out)
	}
	d.Close()
	if err := os.Remove(hook); err != nil {
		t.Fatal(err)
	}

	d = l.daemon()
	if out := l.reconcile(d); !out.Committed {
		t.Fatalf("second run committed nothing: %+v", out)
	}
	var rep model.Report
	l.reportsJSON("hosts/lab/report.json", &rep)
	if rep.LastApply == nil {
		t.Fatalf("report.json has no last_apply:\n%s", l.reports("hosts/lab/report.json"))
	}
	var health *model.ActionResult
	for i, r := range rep.LastApply.Results {
		if r.ActionID == "lab/apt/health_check" {
			health = &rep.LastApply.Results[i]
		}
	}
	if health == nil || health.Status != model.StatusFailed || !strings.Contains(health.Message, "service down") {
		t.Fatalf("last_apply lost the failed health check: %+v", rep.LastApply)
	}
	if md := l.reports("SUMMARY.md"); !strings.Contains(md, "service down") {
		t.Fatalf("SUMMARY.md does not list the failure:\n%s", md)
	}
}

// TestRemoteDownKeepsApplying: while the Git remote cannot be reached, the
// last good configuration keeps applying from the local clone, the failure
// is reported, and the reports reach the remote once it is back (across a
// restart, as in cron mode).
func TestRemoteDownKeepsApplying(t *testing.T) {
	l := newLab(t, securityLab)
	m := metrics.New()
	d := l.daemon(func(o *Options) { o.Metrics = m })
	l.reconcile(d)
	var before model.Report
	l.reportsJSON("hosts/lab/report.json", &before)

	l.root.Publish(t, apttest.Security, apttest.Pkg{Name: "openssl", Version: "3.0.20-3"})
	l.root.Update(t)
	away := l.bare + ".away"
	if err := os.Rename(l.bare, away); err != nil {
		t.Fatal(err)
	}
	out, err := d.Reconcile(context.Background(), plumbing.ZeroHash)
	if got := l.root.Installed(t)["openssl"]; got != "3.0.20-3" {
		t.Fatalf("openssl = %s with the remote down (reconcile: %v); want the last good config applied\nlogs:\n%s", got, err, l.logs)
	}
	if err == nil || out.State != StateFetchFailed || out.Apply == nil {
		t.Fatalf("offline reconcile: err %v, outcome %+v", err, out)
	}
	ok, why := d.Ready()
	if ok || !strings.Contains(why, "fetch") || !strings.Contains(why, "stays in force") {
		t.Fatalf("Ready() = %v, %q", ok, why)
	}
	if v, n := testutil.ToFloat64(m.ConfigValid), testutil.ToFloat64(m.Reconciles.WithLabelValues(metrics.ReconcileError)); v != 0 || n != 1 {
		t.Errorf("tend_config_valid = %v, tend_reconciles_total{result=error} = %v; want 0 and 1", v, n)
	}
	if logs := l.logs.String(); !strings.Contains(logs, "fetch failed; working from the last fetched commit") {
		t.Errorf("the fetch failure is not logged:\n%s", logs)
	}
	d.Close()
	if err := os.Rename(away, l.bare); err != nil {
		t.Fatal(err)
	}

	d = l.daemon()
	if out := l.reconcile(d); !out.Committed || out.Apply != nil || out.State != StateOK {
		t.Fatalf("back online: %+v", out)
	}
	var after model.Report
	l.reportsJSON("hosts/lab/report.json", &after)
	// report.json's times are whole seconds: both applies may start in one,
	// so the later apply is told by what it installed.
	if after.LastApply == nil || after.LastApply.StartedAt.Before(before.LastApply.StartedAt) ||
		len(after.LastApply.Results) != 1 || after.LastApply.Results[0].Status != model.StatusSucceeded ||
		after.LastApply.Results[0].Message == before.LastApply.Results[0].Message {
		t.Fatalf("the offline apply is not reported: before %+v, after %+v", before.LastApply, after.LastApply)
	}
}

// TestRewindRefused: force-moving the branch back to an older commit, one
// from before a reject, is refused although its signature is trusted; the
// configuration in force stays. Only the operator's explicit
// Options.AllowRewind for that commit lets it apply.
func TestRewindRefused(t *testing.T) {
	l := newLab(t, apttest.Options{
		Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}, {Name: "tzdata", Version: "2025a-1"}},
		Security:  []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2"}},
	})
	verifier := l.signing()
	const everything = `  approve {
    classification = ["security", "updates"]
  }`
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, everything))
	old := l.commit("approve everything", "-S")
	hint := func(c string) string { return "restart with --allow-rewind " + c }
	d := l.daemon(func(o *Options) { o.Verifier, o.RewindHint = verifier, hint })
	if out := l.reconcile(d); out.State != StateOK || out.Applied != old {
		t.Fatalf("first commit: %+v", out)
	}
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, everything+`
  reject = ["tzdata"]`))
	current := l.commit("reject tzdata", "-S")
	if out := l.reconcile(d); out.State != StateOK || out.Applied != current {
		t.Fatalf("second commit: %+v", out)
	}

	// The update the reject is for arrives; the branch is moved back to
	// the signed commit from before the reject.
	l.root.Publish(t, apttest.Stable, apttest.Pkg{Name: "tzdata", Version: "2025b-1"})
	l.root.Update(t)
	git(t, l.work, "push", "-q", "-f", "origin", old+":refs/heads/main")
	out := l.reconcile(d)
	if got := l.root.Installed(t)["tzdata"]; got != "2025a-1" {
		t.Fatalf("tzdata = %s: the rewound configuration was applied", got)
	}
	if out.State != StateInvalid || out.Head != old || out.Applied != current {
		t.Fatalf("rewound head: state %s head %s applied %s", out.State, out.Head, out.Applied)
	}
	ok, why := d.Ready()
	if ok || !strings.Contains(why, "does not descend from") || !strings.Contains(why, "--allow-rewind "+old) {
		t.Fatalf("Ready() = %v, %q", ok, why)
	}
	var st StatusFileJSON
	l.reportsJSON("status.json", &st)
	if st.State != StateInvalid || st.Applied != current || !strings.Contains(st.Problem, "does not descend from") {
		t.Fatalf("status.json: %+v", st)
	}
	// Consent for another commit changes nothing.
	d.Close()
	d = l.daemon(func(o *Options) { o.Verifier, o.AllowRewind = verifier, current[:12] })
	if out := l.reconcile(d); out.State != StateInvalid || out.Applied != current {
		t.Fatalf("allowing another commit: state %s applied %s", out.State, out.Applied)
	}
	// The operator's explicit consent for this commit applies it.
	d.Close()
	d = l.daemon(func(o *Options) { o.Verifier, o.AllowRewind = verifier, old[:12] })
	if out := l.reconcile(d); out.State != StateOK || out.Applied != old {
		t.Fatalf("with --allow-rewind: state %s applied %s", out.State, out.Applied)
	}
	if got := l.root.Installed(t)["tzdata"]; got != "2025b-1" {
		t.Fatalf("tzdata = %s after the allowed rewind", got)
	}
	if !strings.Contains(l.logs.String(), "applying it anyway") {
		t.Errorf("the allowed rewind is not logged:\n%s", l.logs)
	}
}

// TestSkippedResultsJournaled: hosts the apply never started (here: the
// rollout halted before them) are journaled too, so their results survive
// a failed push and a restart like the others.
func TestSkippedResultsJournaled(t *testing.T) {
	l := newLab(t, securityLab)
	conf := strings.Replace(policyConf(l.root.Dir, healthFails+`
  rollout {
    ring "all" {
      percent = 100
    }
    max_parallel = 1
    max_failures = 0
  }`), `host "lab" {`, "host \"lab2\" {\n  transport = \"local\"\n}\nhost \"lab\" {", 1)
	conf = strings.Replace(conf, "targets  = [host.lab]", "targets  = [host.lab, host.lab2]", 1)
	l.write("patching/lab.tend.hcl", conf)
	l.commit("two hosts, halting")
	hook := filepath.Join(l.bare, "hooks", "pre-receive")
	if err := os.WriteFile(hook, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	d := l.daemon()
	out, err := d.Reconcile(context.Background(), plumbing.ZeroHash)
	if err == nil || out.Apply == nil || len(out.Apply.Halted) != 1 {
		t.Fatalf("first run: err %v, apply %+v", err, out.Apply)
	}
	d.Close()

	d = l.daemon()
	var skipped *journal.Resolution
	for _, f := range d.journal.Finished() {
		if f.Intent.Host == "lab2" {
			skipped = &f
		}
	}
	if skipped == nil || len(skipped.Results) != 1 || skipped.Results[0].Status != model.StatusSkipped ||
		!strings.Contains(skipped.Results[0].Message, "halted") {
		t.Fatalf("the skipped host is not in the journal: %+v", d.journal.Finished())
	}
	if err := os.Remove(hook); err != nil {
		t.Fatal(err)
	}
	l.reconcile(d)
	var rep model.Report
	l.reportsJSON("hosts/lab2/report.json", &rep)
	if rep.LastApply == nil || len(rep.LastApply.Results) != 1 || rep.LastApply.Results[0].Status != model.StatusSkipped {
		t.Fatalf("lab2's last_apply: %+v", rep.LastApply)
	}
}
