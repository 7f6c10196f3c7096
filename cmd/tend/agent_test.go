package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/agentwire/natstest"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// These tests run real tend agent processes on hermetic apt roots against
// a real nats-server; the test stands in for the controller, speaking
// agentwire's messages with nats.go.

// patience bounds every wait for an agent: generous, the machine may be
// loaded; waits poll and end as soon as the condition holds.
var patience = func() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("TEND_TEST_PATIENCE")); err == nil {
		return d
	}
	return 5 * time.Minute
}()

// hub is the embedded server with the controller's streams, and the
// test's own connection to it.
type hub struct {
	srv *natstest.Server
	nc  *nats.Conn
	js  jetstream.JetStream
}

func startHub(t *testing.T) *hub {
	t.Helper()
	srv := natstest.Start(t, nil)
	nc, err := nats.Connect(srv.URL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	for _, sc := range []jetstream.StreamConfig{
		{Name: agentwire.StreamDesired, Subjects: []string{agentwire.PrefixDesired + ">"}, MaxMsgsPerSubject: 1, AllowDirect: true, Storage: jetstream.FileStorage},
		{Name: agentwire.StreamResults, Subjects: []string{agentwire.PrefixResults + ">"}, Storage: jetstream.FileStorage},
		{Name: agentwire.StreamScans, Subjects: []string{agentwire.PrefixScans + ">"}, MaxMsgsPerSubject: 1, Storage: jetstream.FileStorage},
	} {
		if _, err := js.CreateStream(ctx, sc); err != nil {
			t.Fatal(err)
		}
	}
	return &hub{srv: srv, nc: nc, js: js}
}

// eventually polls cond until it holds, failing the test after patience.
func eventually(t *testing.T, what string, cond func() bool, diag func() string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s\n%s", what, patience, diag())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// publishDesired publishes group's desired state at revision rev with the
// files of dir, retrying while the hub is away.
func (h *hub) publishDesired(t *testing.T, group string, rev uint64, commit, dir string) {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(rel, ".tend"+string(filepath.Separator)) {
			return nil // local state, not configuration
		}
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ds := agentwire.DesiredState{Version: agentwire.Version, Group: group, Revision: rev, ConfigCommit: commit,
		PublishedAt: time.Now().UTC(), Files: files, Hosts: []string{"lab"}}
	data, _ := json.Marshal(ds)
	eventually(t, "publishing the desired state", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := h.js.Publish(ctx, agentwire.DesiredSubject(group), data)
		return err == nil
	}, func() string { return "" })
}

// lastScan is the last scan host published, nil when none.
func (h *hub) lastScan(t *testing.T, host string) *model.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := h.js.Stream(ctx, agentwire.StreamScans)
	if err != nil {
		return nil
	}
	m, err := st.GetLastMsgForSubject(ctx, agentwire.ScansSubject(host))
	if err != nil {
		return nil
	}
	var sc agentwire.Scan
	if err := json.Unmarshal(m.Data, &sc); err != nil {
		t.Fatal(err)
	}
	snap, err := inventory.Parse("scan", sc.Snapshot, host)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// results lists every result the results stream holds for host.
func (h *hub) results(t *testing.T, host string) []agentwire.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := h.js.Stream(ctx, agentwire.StreamResults)
	if err != nil {
		return nil
	}
	var out []agentwire.Result
	for seq := uint64(1); ; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			info, ierr := st.Info(ctx)
			if ierr != nil || seq >= info.State.LastSeq {
				return out
			}
			continue
		}
		if m.Subject != agentwire.ResultsSubject(host) {
			continue
		}
		var r agentwire.Result
		if err := json.Unmarshal(m.Data, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
}

// result waits for job id's result.
func (h *hub) result(t *testing.T, a *agentProc, host, id string) agentwire.Result {
	t.Helper()
	var got agentwire.Result
	eventually(t, "result of job "+id, func() bool {
		for _, r := range h.results(t, host) {
			if r.JobID == id {
				got = r
				return true
			}
		}
		return false
	}, a.logs)
	return got
}

// job plans host from its last scan with the configuration in dir, as the
// controller does, and returns the job.
func job(t *testing.T, snap *model.Snapshot, dir, id, commit string, rev uint64, notAfter time.Time) agentwire.Job {
	t.Helper()
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	plan, _ := planner.Plan(planner.Input{Config: cfg, Inventory: map[string]*model.Snapshot{snap.Host: snap}, Now: time.Now(),
		ConfigCommit: commit, InventorySource: "live"})
	plan.Narrow(func(h string) bool { return h == snap.Host })
	if !plan.HasChanges() {
		t.Fatalf("the plan of %s has no actions", snap.Host)
	}
	data, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	return agentwire.Job{Version: agentwire.Version, ID: id, Host: snap.Host, Policy: plan.Hosts[0].Policy,
		ConfigCommit: commit, Revision: rev, Plan: data, NotAfter: notAfter}
}

func (h *hub) send(t *testing.T, j agentwire.Job) {
	t.Helper()
	data, _ := json.Marshal(j)
	if err := h.nc.Publish(agentwire.CommandSubject(j.Host), data); err != nil {
		t.Fatal(err)
	}
	if err := h.nc.Flush(); err != nil {
		t.Fatal(err)
	}
}

// hellos follows host's hello messages; the latest is returned by last.
type hellos struct {
	mu   sync.Mutex
	last agentwire.Hello
}

func (h *hub) hellos(t *testing.T, host string) *hellos {
	t.Helper()
	hs := &hellos{}
	sub, err := h.nc.Subscribe(agentwire.HelloSubject(host), func(m *nats.Msg) {
		var x agentwire.Hello
		if json.Unmarshal(m.Data, &x) == nil {
			hs.mu.Lock()
			hs.last = x
			hs.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	return hs
}

func (hs *hellos) revision(group string) uint64 {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.last.Revisions[group]
}

// agentLab builds tend and the apt provider and makes a root and a
// configuration for host "lab" in dir with the policy body given.
func agentLab(t *testing.T, opts apttest.Options, policy string) (bin, conf string, root *apttest.Root) {
	t.Helper()
	conf, root = aptLabPolicy(t, opts, policy)
	if code, out, errOut := tend(t, "init", "-C", conf); code != 0 {
		t.Fatalf("init: %d\n%s%s", code, out, errOut)
	}
	bin = buildTend(t)
	return bin, conf, root
}

// acmeAgentLab is agentLab with securityOnly whose host "lab" is an agent
// host of client acme.
func acmeAgentLab(t *testing.T) (bin, conf string, root *apttest.Root) {
	t.Helper()
	bin, conf, root = agentLab(t, opensslLab, securityOnly)
	hcl := filepath.Join(conf, "lab.tend.hcl")
	data, err := os.ReadFile(hcl)
	if err != nil {
		t.Fatal(err)
	}
	agentHost := "transport = \"agent\"\n  labels    = { client = \"acme\" }"
	if err := os.WriteFile(hcl, []byte(strings.Replace(string(data), `transport = "local"`, agentHost, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return bin, conf, root
}

// agentProc is a running tend agent.
type agentProc struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed once the process has exited
}

func (a *agentProc) logs() string {
	return "agent log:\n" + a.out.String()
}

// startAgent starts tend agent run for host lab in group on stateDir.
func startAgent(t *testing.T, bin, url, group, stateDir string, extra ...string) *agentProc {
	t.Helper()
	args := append([]string{"agent", "run", "--nats", url, "--host", "lab", "--group", group, "--state-dir", stateDir,
		"--log-level", "debug", "--heartbeat", "200ms", "--reconnect-min", "20ms", "--reconnect-max", "200ms"}, extra...)
	return launchAgent(t, exec.Command(bin, args...), "lab")
}

// launchAgent starts cmd (a tend agent run) with its output captured; at
// the end of the test it is stopped with SIGTERM (killed if it does not
// exit in time) and, if the test failed, its output logged under label.
func launchAgent(t *testing.T, cmd *exec.Cmd, label string) *agentProc {
	t.Helper()
	a := &agentProc{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = a.out, a.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := a.done
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(patience):
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("%s %s", label, a.logs())
		}
	})
	return a
}

// kill kills the agent at once, as a crash or power loss would.
func (a *agentProc) kill(t *testing.T) {
	t.Helper()
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-a.done
}

// stop stops the agent with SIGTERM and waits for it.
func (a *agentProc) stop(t *testing.T) {
	t.Helper()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.done:
	case <-time.After(patience):
		t.Fatalf("agent not stopped after %s\n%s", patience, a.logs())
	}
}

var opensslLab = apttest.Options{
	Installed: []apttest.Pkg{{Name: "openssl", Version: "3.0.20-1"}, {Name: "tzdata", Version: "2025a-1"}},
	Stable:    []apttest.Pkg{{Name: "tzdata", Version: "2025b-1"}},
	Security:  []apttest.Pkg{{Name: "openssl", Version: "3.0.20-2"}},
}

const securityOnly = "approve {\n    classification = [\"security\"]\n  }"

// TestAgentPatchedByJob: an agent gets its group's desired state, scans
// and publishes the scan; a job planned from that scan patches the host's
// real apt root, and the result says so. A late job is refused expired,
// one from another config commit refused, one during a freeze the newer
// desired state declares refused held, one sent again answered with the
// first result and not applied twice.
func TestAgentPatchedByJob(t *testing.T) {
	bin, conf, root := agentLab(t, opensslLab, securityOnly)
	h := startHub(t)
	h.publishDesired(t, "web", 1, "c1", conf)
	a := startAgent(t, bin, h.srv.URL(), "web", t.TempDir())

	var snap *model.Snapshot
	eventually(t, "the agent's first scan", func() bool { snap = h.lastScan(t, "lab"); return snap != nil }, a.logs)
	if got := snap.Providers["apt"].Installed; len(got) == 0 {
		t.Fatalf("scan lists nothing installed: %+v", snap)
	}

	late := job(t, snap, conf, "job-late", "c1", 1, time.Now().Add(-time.Minute))
	h.send(t, late)
	if r := h.result(t, a, "lab", "job-late"); r.Outcome != agentwire.OutcomeRefused || !strings.HasPrefix(r.Reason, "expired") {
		t.Errorf("late job: %+v", r)
	}
	other := job(t, snap, conf, "job-other", "c0", 1, time.Now().Add(time.Hour))
	h.send(t, other)
	if r := h.result(t, a, "lab", "job-other"); r.Outcome != agentwire.OutcomeRefused || !strings.Contains(r.Reason, "config commit mismatch") {
		t.Errorf("job from another commit: %+v", r)
	}
	if got := root.Installed(t)["openssl"]; got != "3.0.20-1" {
		t.Fatalf("refused jobs changed the host: openssl %s", got)
	}

	// The desired state moves to a commit with a freeze; a job planned
	// without it (revision 2, newer than the agent may have heard of) is
	// held by the agent's own reading of the configuration.
	freeze := filepath.Join(conf, "freeze.tend.hcl")
	if err := os.WriteFile(freeze, []byte(`freeze "now" {
  from   = "2020-01-01"
  until  = "2099-12-31"
  reason = "test freeze"
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	h.publishDesired(t, "web", 2, "c2", conf)
	if err := os.Remove(freeze); err != nil {
		t.Fatal(err)
	}
	h.send(t, job(t, snap, conf, "job-held", "c2", 2, time.Now().Add(time.Hour)))
	if r := h.result(t, a, "lab", "job-held"); r.Outcome != agentwire.OutcomeRefused || !strings.Contains(r.Reason, "held: ") || !strings.Contains(r.Reason, "test freeze") {
		t.Errorf("job during a freeze: %+v", r)
	}
	h.publishDesired(t, "web", 3, "c3", conf)

	j := job(t, snap, conf, "job-1", "c3", 3, time.Now().Add(time.Hour))
	h.send(t, j)
	r := h.result(t, a, "lab", "job-1")
	if r.Outcome != agentwire.OutcomeApplied || r.Failed || r.Resumed {
		t.Fatalf("job-1: %+v", r)
	}
	var applies []model.HostApply
	if err := json.Unmarshal(r.HostResults, &applies); err != nil || len(applies) != 1 || len(applies[0].Results) != 1 ||
		applies[0].Results[0].Status != model.StatusSucceeded || applies[0].Results[0].To != "3.0.20-2" {
		t.Fatalf("job-1 host results %s (%v)", r.HostResults, err)
	}
	if got := root.Installed(t); got["openssl"] != "3.0.20-2" || got["tzdata"] != "2025a-1" {
		t.Fatalf("after job-1: %v; want openssl patched, tzdata left", got)
	}
	// The scan after the job shows the new version.
	eventually(t, "the scan after the job", func() bool {
		s := h.lastScan(t, "lab")
		for _, it := range s.Providers["apt"].Installed {
			if it.Name == "openssl" {
				return it.Version == "3.0.20-2"
			}
		}
		return false
	}, a.logs)

	// The same job again: its stored result, one result in the stream.
	// Jobs are taken in order, so once a later job's result is in, the
	// repeat has been handled.
	h.send(t, j)
	h.send(t, job(t, snap, conf, "job-after", "c3", 3, time.Now().Add(-time.Minute)))
	h.result(t, a, "lab", "job-after")
	if got := root.Installed(t)["openssl"]; got != "3.0.20-2" {
		t.Errorf("openssl %s after job-1 was sent again", got)
	}
	n := 0
	for _, x := range h.results(t, "lab") {
		if x.JobID == "job-1" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("job-1 has %d results in the stream, want 1 (deduplicated by message id)", n)
	}
}

// TestAgentResumesAfterKill: an agent killed in the middle of a job (its
// post hook still running, the package already upgraded; a second job
// meanwhile answered busy) resumes the job from its state directory when
// it starts again, with the server down: the upgrade done is skipped, and
// the result, kept in the outbox, arrives when the server is back and
// says resumed.
func TestAgentResumesAfterKill(t *testing.T) {
	marks := t.TempDir()
	started, gate := filepath.Join(marks, "started"), filepath.Join(marks, "gate")
	hook := fmt.Sprintf(`hook "post" {
    argv = ["sh", "-c", "touch %s; while [ ! -f %s ]; do sleep 0.05; done"]
  }`, started, gate)
	bin, conf, root := agentLab(t, opensslLab, securityOnly+"\n  "+hook)
	h := startHub(t)
	h.publishDesired(t, "web", 1, "c1", conf)
	state := t.TempDir()
	a := startAgent(t, bin, h.srv.URL(), "web", state)
	var snap *model.Snapshot
	eventually(t, "the agent's first scan", func() bool { snap = h.lastScan(t, "lab"); return snap != nil }, a.logs)

	h.send(t, job(t, snap, conf, "job-k", "c1", 1, time.Now().Add(time.Hour)))
	eventually(t, "the post hook running", func() bool { _, err := os.Stat(started); return err == nil }, a.logs)
	// Another job meanwhile: busy.
	h.send(t, job(t, snap, conf, "job-busy", "c1", 1, time.Now().Add(time.Hour)))
	if r := h.result(t, a, "lab", "job-busy"); r.Outcome != agentwire.OutcomeBusy || !strings.Contains(r.Reason, "job-k") {
		t.Errorf("job while busy: %+v", r)
	}
	a.kill(t)
	if got := root.Installed(t)["openssl"]; got != "3.0.20-2" {
		t.Fatalf("openssl %s when the agent was killed in its post hook", got)
	}
	if _, err := os.Stat(filepath.Join(state, "job.json")); err != nil {
		t.Fatalf("the killed agent left no job record: %v", err)
	}
	for _, r := range h.results(t, "lab") {
		if r.JobID == "job-k" {
			t.Fatalf("a result before the job finished: %+v", r)
		}
	}

	// It starts again while the server is down: it resumes the job from
	// its state directory and desired state, the result waits in the
	// outbox and is delivered once the server is back.
	h.srv.Shutdown()
	h.srv.WaitForShutdown()
	b := startAgent(t, bin, h.srv.URL(), "web", state)
	eventually(t, "the resumed job finishing offline", func() bool {
		_, err := os.Stat(filepath.Join(state, "job.json"))
		return os.IsNotExist(err)
	}, b.logs)
	if _, err := os.Stat(filepath.Join(state, "outbox", "result-job-k.json")); err != nil {
		t.Fatalf("the result made offline is not in the outbox: %v", err)
	}
	h.srv.Restart()
	r := h.result(t, b, "lab", "job-k")
	if r.Outcome != agentwire.OutcomeApplied || !r.Resumed || r.Failed {
		t.Fatalf("resumed job: %+v", r)
	}
	var applies []model.HostApply
	if err := json.Unmarshal(r.HostResults, &applies); err != nil || len(applies) != 1 || len(applies[0].Results) != 1 {
		t.Fatalf("resumed host results %s (%v)", r.HostResults, err)
	}
	if x := applies[0].Results[0]; x.Status != model.StatusSkipped || !strings.Contains(x.Message, "already at 3.0.20-2") {
		t.Errorf("resumed action: %+v; want skipped, already at the target", x)
	}
}

// TestAgentCatchesUp: an agent that was not running while its group's
// desired state changed reads the new revision when it starts and
// connects; then, across a restart of the server, an update published
// before the agent has reconnected (the push missed) is read by the
// revision check on reconnect.
func TestAgentCatchesUp(t *testing.T) {
	bin, conf, _ := agentLab(t, opensslLab, securityOnly)
	h := startHub(t)
	hs := h.hellos(t, "lab")
	h.publishDesired(t, "web", 1, "c1", conf)
	state := t.TempDir()
	// No periodic check: only connects, reconnects and pushes deliver.
	a := startAgent(t, bin, h.srv.URL(), "web", state, "--revision-interval", "1h")
	eventually(t, "revision 1", func() bool { return hs.revision("web") == 1 }, a.logs)

	a.stop(t)
	h.publishDesired(t, "web", 2, "c2", conf)
	b := startAgent(t, bin, h.srv.URL(), "web", state, "--revision-interval", "1h")
	eventually(t, "revision 2 after the agent was offline", func() bool { return hs.revision("web") == 2 }, b.logs)
	var ds agentwire.DesiredState
	data, err := os.ReadFile(filepath.Join(state, "desired", "web.json"))
	if err != nil || json.Unmarshal(data, &ds) != nil || ds.Revision != 2 || ds.ConfigCommit != "c2" {
		t.Fatalf("stored desired state: revision %d (%v)", ds.Revision, err)
	}

	h.srv.Restart()
	h.publishDesired(t, "web", 3, "c3", conf)
	eventually(t, "revision 3 after the server restart", func() bool { return hs.revision("web") == 3 }, b.logs)
	if !strings.Contains(b.logs(), "disconnected from NATS") {
		t.Errorf("the agent never saw the server go:\n%s", b.logs())
	}
}
