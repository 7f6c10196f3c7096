package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// fakeClock is the daemon's clock, moved by the test only.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// agentFleet answers the controller as agents would, over raw NATS: every
// job gets its results (each action's message names the host and the
// version, the test's marker) after a new scan with the update installed.
type agentFleet struct {
	t  *testing.T
	js jetstream.JetStream

	mu      sync.Mutex
	markers []string
	seq     int
}

// agentSnapshot is an apt scan of host with openssl at installed, and
// offering avail as a security update unless avail is "".
func agentSnapshot(host, installed, avail string, at time.Time) *model.Snapshot {
	inv := &model.ProviderInventory{Facts: map[string]string{"os": "debian"},
		Installed: []model.Installed{{ID: "openssl", Name: "openssl", Version: installed, Arch: "amd64"}}, Available: []model.Update{}}
	if avail != "" {
		inv.Available = []model.Update{{ID: "openssl", Name: "openssl", From: installed, To: avail, Classification: "security", CVEs: []string{}}}
	}
	return &model.Snapshot{FormatVersion: model.SnapshotFormatVersion, Host: host, ScannedAt: at, Providers: map[string]*model.ProviderInventory{"apt": inv}}
}

func (a *agentFleet) publishScan(s *model.Snapshot) {
	a.t.Helper()
	data, err := inventory.Encode(s)
	if err != nil {
		a.t.Fatal(err)
	}
	a.mu.Lock()
	a.seq++
	id := fmt.Sprintf("scan-%s-%d", s.Host, a.seq)
	a.mu.Unlock()
	body, _ := json.Marshal(agentwire.Scan{Version: agentwire.Version, Host: s.Host, ScannedAt: s.ScannedAt, Snapshot: data})
	if _, err := a.js.Publish(context.Background(), agentwire.ScansSubject(s.Host), body, jetstream.WithMsgID(id)); err != nil {
		a.t.Error(err)
	}
}

func (a *agentFleet) onJob(m *nats.Msg) {
	var job agentwire.Job
	if err := json.Unmarshal(m.Data, &job); err != nil {
		a.t.Error(err)
		return
	}
	var plan model.Plan
	if err := json.Unmarshal(job.Plan, &plan); err != nil || len(plan.Hosts) != 1 {
		a.t.Errorf("job plan: %v", err)
		return
	}
	ha := model.HostApply{Host: job.Host}
	var to string
	for _, act := range plan.Hosts[0].Actions {
		to = act.To
		marker := fmt.Sprintf("agent applied openssl %s on %s", act.To, job.Host)
		ha.Results = append(ha.Results, model.AppliedAction{ActionID: act.ID, Provider: "apt", Package: act.Package, Status: model.StatusSucceeded, Message: marker})
		a.mu.Lock()
		a.markers = append(a.markers, marker)
		a.mu.Unlock()
	}
	// As tend agent does: the scan after the job, then its result.
	a.publishScan(agentSnapshot(job.Host, to, "", time.Now().UTC()))
	hr, _ := json.Marshal([]model.HostApply{ha})
	res, _ := json.Marshal(agentwire.Result{Version: agentwire.Version, JobID: job.ID, Host: job.Host, Outcome: agentwire.OutcomeApplied,
		StartedAt: time.Now().UTC(), FinishedAt: time.Now().UTC(), HostResults: hr})
	if _, err := a.js.Publish(context.Background(), agentwire.ResultsSubject(job.Host), res, jetstream.WithMsgID("result-"+job.ID)); err != nil {
		a.t.Error(err)
	}
}

func (a *agentFleet) answered() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.markers)
}

// waitFor polls cond for up to five minutes (the machine may be loaded).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestBatchedReportsTwoClients: agent hosts of two clients send scans and
// results in bursts while reconciles follow each other faster than the
// report interval (the clock is the test's). A branch's reports are
// committed at most once per interval, fleet-wide and per client; what
// arrives in between is held back, survives a daemon restart (a crash
// before the commit) and lands in the next commit; every result reaches
// results.json of the fleet branch and of its client's branch; a client's
// branch holds its own hosts only; and no ref per host is made.
func TestBatchedReportsTwoClients(t *testing.T) {
	l := newLab(t, securityLab)
	acme, globex := []string{"a1", "a2"}, []string{"g1", "g2"}
	hosts := append(slices.Clone(acme), globex...)
	conf := fmt.Sprintf("provider \"apt\" {\n  root = %q\n}\n", l.root.Dir)
	for _, h := range hosts {
		client := "acme"
		if strings.HasPrefix(h, "g") {
			client = "globex"
		}
		conf += fmt.Sprintf("host %q {\n  transport = \"agent\"\n  labels    = { client = %q }\n}\n", h, client)
	}
	conf += `policy "security_only" {
  provider = "apt"
  targets  = [host.a1, host.a2, host.g1, host.g2]
  reboot   = "never"
  approve {
    classification = ["security"]
  }
}
`
	l.write("patching/lab.tend.hcl", conf)
	l.commit("four agent hosts of two clients")

	ctl, nc := l.controller(fleet.Options{})
	js, _ := jetstream.New(nc)
	agents := &agentFleet{t: t, js: js}
	sub, err := nc.Subscribe(agentwire.PrefixCommand+"*", agents.onJob)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sub.Unsubscribe() }()

	const interval = time.Minute
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := &fakeClock{t: t0}
	open := func() *Daemon {
		return l.daemon(func(o *Options) {
			o.Fleet, o.Now, o.ReportInterval, o.ReportsPerClient = ctl, clock.Now, interval, true
		})
	}
	// ingested waits until every host's last ingested scan has openssl at
	// installed.
	ingested := func(installed string, hs ...string) {
		t.Helper()
		waitFor(t, "scans with openssl "+installed+" ingested for "+strings.Join(hs, ", "), func() bool {
			snaps, err := inventory.ReadDir(ctl.InventoryDir())
			if err != nil {
				return false
			}
			for _, h := range hs {
				s := snaps[h]
				if s == nil || s.Providers["apt"] == nil || len(s.Providers["apt"].Installed) == 0 || s.Providers["apt"].Installed[0].Version != installed {
					return false
				}
			}
			return true
		})
	}
	burst := func(from, to string, hs ...string) {
		t.Helper()
		for _, h := range hs {
			agents.publishScan(agentSnapshot(h, from, to, time.Now().UTC()))
		}
		ingested(from, hs...)
	}
	reconcileAt := func(d *Daemon, at time.Duration) *Outcome {
		t.Helper()
		clock.Set(t0.Add(at))
		out := l.reconcile(d)
		if out.Apply != nil && out.Apply.Failed() != 0 {
			t.Fatalf("apply at %s failed: %+v\nlogs:\n%s", at, out.Apply, l.logs)
		}
		return out
	}
	pending := filepath.Join(l.state, pendingFile)

	// Burst 1, both clients: the first commit makes the branches.
	d := open()
	burst("3.0.20-1", "3.0.20-2", hosts...)
	out := reconcileAt(d, 0)
	if !out.Committed || out.ReportsHeld || out.Apply == nil || len(out.Apply.Hosts) != 4 {
		t.Fatalf("first reconcile: %+v\nlogs:\n%s", out, l.logs)
	}
	first := l.reportsHead()
	ingested("3.0.20-2", hosts...)

	// The agents' scans after the apply change the reports 10s later: held.
	out = reconcileAt(d, 10*time.Second)
	if out.Committed || !out.ReportsHeld || l.reportsHead() != first {
		t.Fatalf("reconcile at 10s: %+v, reports head moved: %v", out, l.reportsHead() != first)
	}
	if _, err := os.Stat(pending); err != nil {
		t.Fatalf("reports held back without %s: %v", pendingFile, err)
	}
	if due := d.ReportsDue(); !due.Equal(t0.Add(interval)) {
		t.Errorf("reports due %s, want %s", due, t0.Add(interval))
	}

	// Burst 2, acme only: applied, results held back with the rest.
	burst("3.0.21-1", "3.0.21-2", acme...)
	out = reconcileAt(d, 20*time.Second)
	if out.Committed || !out.ReportsHeld || out.Apply == nil || len(out.Apply.Hosts) != 2 {
		t.Fatalf("reconcile at 20s: %+v\nlogs:\n%s", out, l.logs)
	}
	ingested("3.0.21-2", acme...)

	// A crash before the commit: a new daemon on the same state dir knows
	// from the branch that the interval has not passed, and from the state
	// dir what it holds.
	d.Close()
	d = open()
	if out = reconcileAt(d, 30*time.Second); out.Committed || !out.ReportsHeld {
		t.Fatalf("reconcile at 30s after the restart: %+v", out)
	}
	if out = reconcileAt(d, 61*time.Second); !out.Committed || out.ReportsHeld {
		t.Fatalf("reconcile at 61s: %+v\nlogs:\n%s", out, l.logs)
	}
	if _, err := os.Stat(pending); !os.IsNotExist(err) {
		t.Errorf("%s left after the commit: %v", pendingFile, err)
	}
	// The batch's message counts the applies it records, held ones too.
	if msg := git(t, l.bare, "log", "-1", "--format=%s", l.reportsBranch); !strings.HasSuffix(msg, " 4 hosts, 2 changed, 0 failed") {
		t.Errorf("the batch commit says %q", msg)
	}
	if msg := git(t, l.bare, "log", "-1", "--format=%s", reportsbranch.ClientBranch(l.reportsBranch, "acme")); !strings.HasSuffix(msg, " 2 hosts, 2 changed, 0 failed") {
		t.Errorf("acme's batch commit says %q", msg)
	}
	var rep model.Report
	l.reportsJSON("hosts/a1/report.json", &rep)
	if rep.State != model.HostCompliant || rep.LastApply == nil || !strings.Contains(fmt.Sprint(rep.LastApply.Results), "openssl 3.0.21-2 on a1") {
		t.Errorf("a1's report after the batch: %+v", rep)
	}

	// Burst 3, globex only, held until two minutes.
	burst("3.0.22-1", "3.0.22-2", globex...)
	if out = reconcileAt(d, 70*time.Second); !out.ReportsHeld {
		t.Fatalf("reconcile at 70s: %+v", out)
	}
	ingested("3.0.22-2", globex...)
	for _, at := range []time.Duration{80 * time.Second, 100 * time.Second} {
		if out = reconcileAt(d, at); out.Committed || !out.ReportsHeld {
			t.Fatalf("reconcile at %s: %+v", at, out)
		}
	}
	if out = reconcileAt(d, 121*time.Second); !out.Committed {
		t.Fatalf("reconcile at 121s: %+v", out)
	}
	if out = reconcileAt(d, 130*time.Second); out.Committed || out.ReportsHeld {
		t.Fatalf("reconcile at 130s, nothing new: %+v", out)
	}

	if testing.Verbose() {
		for _, b := range []string{l.reportsBranch, reportsbranch.ClientBranch(l.reportsBranch, "acme"), reportsbranch.ClientBranch(l.reportsBranch, "globex")} {
			t.Logf("%s:\n%s", b, git(t, l.bare, "log", "--format=%ci %s", "--stat", b))
		}
	}
	// From the Git history: no branch, so no client, got two commits
	// within the interval; each client's branch holds its hosts only.
	fleetBranch := l.reportsBranch
	branches := map[string][]string{fleetBranch: hosts,
		reportsbranch.ClientBranch(fleetBranch, "acme"): acme, reportsbranch.ClientBranch(fleetBranch, "globex"): globex}
	for branch, want := range branches {
		times := commitTimes(t, l.bare, branch)
		if len(times) < 2 {
			t.Errorf("%s: %d commits, want at least 2", branch, len(times))
		}
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap < interval {
				t.Errorf("%s: commits at %s and %s, %s apart", branch, times[i-1], times[i], gap)
			}
		}
		for _, c := range strings.Fields(git(t, l.bare, "rev-list", branch)) {
			got := strings.Fields(git(t, l.bare, "ls-tree", "--name-only", c+":hosts"))
			if !slices.Equal(got, want) && (branch == fleetBranch || !isSubset(got, want)) {
				t.Errorf("%s at %s holds hosts %v, want %v", branch, c[:7], got, want)
			}
		}
	}
	// Per client on the fleet branch too (implied by the above, checked as
	// the history shows it).
	for client, hs := range map[string][]string{"acme": acme, "globex": globex} {
		paths := []string{"clients/" + client}
		for _, h := range hs {
			paths = append(paths, "hosts/"+h)
		}
		times := commitTimes(t, l.bare, fleetBranch, paths...)
		for i := 1; i < len(times); i++ {
			if times[i].Sub(times[i-1]) < interval {
				t.Errorf("client %s: commits touching it on %s at %s and %s", client, fleetBranch, times[i-1], times[i])
			}
		}
	}
	var sum model.FleetSummary
	if err := json.Unmarshal([]byte(git(t, l.bare, "show", reportsbranch.ClientBranch(fleetBranch, "acme")+":summary.json")), &sum); err != nil ||
		sum.Client != "acme" || sum.Hosts != 2 || sum.Compliant != 2 {
		t.Errorf("acme's summary.json: %+v, %v", sum, err)
	}

	// Every result landed: in results.json of some commit of the fleet
	// branch and of its client's branch.
	markers := agents.answered()
	if len(markers) != 8 {
		t.Fatalf("the agents answered %d actions, want 8: %v", len(markers), markers)
	}
	fleetResults := allResults(t, l.bare, fleetBranch)
	for _, m := range markers {
		client := "acme"
		if strings.HasSuffix(m, " on g1") || strings.HasSuffix(m, " on g2") {
			client = "globex"
		}
		if !strings.Contains(fleetResults, m) {
			t.Errorf("%q is in no results.json of %s", m, fleetBranch)
		}
		cb := reportsbranch.ClientBranch(fleetBranch, client)
		if !strings.Contains(allResults(t, l.bare, cb), m) {
			t.Errorf("%q is in no results.json of %s", m, cb)
		}
	}
	if strings.Contains(allResults(t, l.bare, reportsbranch.ClientBranch(fleetBranch, "acme")), " on g1") {
		t.Error("acme's branch holds a result of globex's host")
	}
	// Never a ref per host.
	refs := strings.Fields(git(t, l.bare, "for-each-ref", "--format=%(refname)"))
	wantRefs := []string{"refs/heads/main", "refs/heads/" + fleetBranch, "refs/heads/" + reportsbranch.ClientBranch(fleetBranch, "acme"),
		"refs/heads/" + reportsbranch.ClientBranch(fleetBranch, "globex")}
	slices.Sort(refs)
	slices.Sort(wantRefs)
	if !slices.Equal(refs, wantRefs) {
		t.Errorf("refs: %v, want %v", refs, wantRefs)
	}
}

// commitTimes are the committer times of branch's commits (touching paths,
// when given), oldest first.
func commitTimes(t *testing.T, repo, branch string, paths ...string) []time.Time {
	t.Helper()
	args := []string{"log", "--reverse", "--format=%ct", branch}
	if len(paths) > 0 {
		args = append(append(args, "--"), paths...)
	}
	var out []time.Time
	for _, f := range strings.Fields(git(t, repo, args...)) {
		sec, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, time.Unix(sec, 0).UTC())
	}
	return out
}

// allResults joins results.json of every commit of branch.
func allResults(t *testing.T, repo, branch string) string {
	t.Helper()
	var b strings.Builder
	for _, c := range strings.Fields(git(t, repo, "rev-list", branch)) {
		b.WriteString(git(t, repo, "show", c+":results.json"))
	}
	return b.String()
}

func isSubset(got, want []string) bool {
	for _, g := range got {
		if !slices.Contains(want, g) {
			return false
		}
	}
	return true
}

// TestNextWait: Run waits for the interval, or less when reports held back
// fall due sooner, never a negative time.
func TestNextWait(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	d := &Daemon{o: Options{Now: func() time.Time { return now }}}
	if got := d.nextWait(time.Minute); got != time.Minute {
		t.Errorf("nothing held: %s", got)
	}
	d.setReportsDue(now.Add(20 * time.Second))
	if got := d.nextWait(time.Minute); got != 20*time.Second {
		t.Errorf("held, due in 20s: %s", got)
	}
	if got := d.nextWait(5 * time.Second); got != 5*time.Second {
		t.Errorf("held, due after the next tick: %s", got)
	}
	d.setReportsDue(now.Add(-time.Second))
	if got := d.nextWait(time.Minute); got != 0 {
		t.Errorf("held, overdue: %s", got)
	}
}
