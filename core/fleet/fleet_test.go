package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/agentwire/natstest"
	"github.com/tend-sh/tend/core/apply"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
)

// agentConfig loads a configuration with agent hosts (role x, in group x)
// and one agent host in no group; rollout is the policy's rollout block.
func agentConfig(t *testing.T, hosts []string, rollout string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("provider \"test\" {}\n")
	for _, h := range hosts {
		b.WriteString("host \"" + h + "\" {\n transport = \"agent\"\n labels = { role = \"x\" }\n}\n")
	}
	b.WriteString("host \"loner\" {\n transport = \"agent\"\n}\n")
	b.WriteString("group \"x\" {\n match = { role = \"x\" }\n}\n")
	b.WriteString("policy \"p\" {\n provider = \"test\"\n targets = [group.x]\n approve {}\n" + rollout + "\n}\n")
	if err := os.WriteFile(filepath.Join(dir, "main.tend.hcl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return cfg
}

func quiet() logrus.FieldLogger {
	l := logrus.New()
	l.SetLevel(logrus.WarnLevel)
	return l
}

func connect(t *testing.T, s *natstest.Server, o Options) *Controller {
	t.Helper()
	o.URL = s.URL()
	if o.Log == nil {
		o.Log = quiet()
	}
	c, err := Connect(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func rawConn(t *testing.T, s *natstest.Server) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	nc, err := nats.Connect(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// eventually polls cond for up to two minutes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestDesiredRevisions: groups map to subjects, an unchanged document is
// not republished, and two controllers publishing at once never lose a
// revision or go backwards (compare-and-swap).
func TestDesiredRevisions(t *testing.T) {
	s := natstest.Start(t, nil)
	cfg := agentConfig(t, []string{"a1", "a2"}, "")
	ctx := context.Background()
	c1, c2 := connect(t, s, Options{}), connect(t, s, Options{})

	if got := AgentGroups(cfg); !slices.Equal(got["x"], []string{"a1", "a2"}) || !slices.Equal(got[Ungrouped], []string{"loner"}) || len(got) != 2 {
		t.Fatalf("groups = %v", got)
	}
	revs, err := c1.PublishDesired(ctx, cfg, "c0")
	if err != nil || revs["x"] != 1 || revs[Ungrouped] != 1 {
		t.Fatalf("first publish: %v %v", revs, err)
	}
	if revs, err = c2.PublishDesired(ctx, cfg, "c0"); err != nil || revs["x"] != 1 {
		t.Fatalf("unchanged: %v %v", revs, err)
	}
	d, _, err := c2.Desired(ctx, "x")
	if err != nil || d.ConfigCommit != "c0" || !slices.Equal(d.Hosts, []string{"a1", "a2"}) || len(d.Files["main.tend.hcl"]) == 0 {
		t.Fatalf("desired = %+v, %v", d, err)
	}

	// 2 controllers × 10 changes each, concurrently: 20 distinct revisions.
	var mu sync.Mutex
	var got []uint64
	var wg sync.WaitGroup
	for i, c := range []*Controller{c1, c2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 10 {
				revs, err := c.PublishDesired(ctx, cfg, fmt.Sprintf("c%d-%d", i+1, n))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				got = append(got, revs["x"])
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(got)
	want := make([]uint64, 20)
	for i := range want {
		want[i] = uint64(i + 2)
	}
	if !slices.Equal(got, want) {
		t.Errorf("revisions = %v, want %v", got, want)
	}
	if d, _, _ := c1.Desired(ctx, "x"); d.Revision != 21 {
		t.Errorf("last revision = %d", d.Revision)
	}
}

func snapshot(t *testing.T, host string) []byte {
	t.Helper()
	data, err := inventory.Encode(&model.Snapshot{FormatVersion: "1", Host: host, ScannedAt: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC),
		Providers: map[string]*model.ProviderInventory{}})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestScanIngest: an agent's scan lands in the inventory directory as tend
// scan writes it; one whose snapshot names another host is refused.
func TestScanIngest(t *testing.T) {
	s := natstest.Start(t, nil)
	inv := t.TempDir()
	c := connect(t, s, Options{InventoryDir: inv})
	_, js := rawConn(t, s)
	ctx := context.Background()
	publish := func(subjectHost, snapHost string) {
		data, _ := json.Marshal(agentwire.Scan{Version: agentwire.Version, Host: snapHost, ScannedAt: time.Now().UTC(), Snapshot: snapshot(t, snapHost)})
		if _, err := js.Publish(ctx, agentwire.ScansSubject(subjectHost), data, jetstream.WithMsgID("scan-"+subjectHost+"-x")); err != nil {
			t.Fatal(err)
		}
	}
	publish("a2", "a1") // forged: a2 sends a1's snapshot
	publish("a1", "a1")
	eventually(t, "the scan in the inventory dir", func() bool {
		_, err := os.Stat(filepath.Join(inv, "a1", "inventory.json"))
		return err == nil
	})
	snaps, err := inventory.ReadDir(inv)
	if err != nil || len(snaps) != 1 || snaps["a1"] == nil {
		t.Fatalf("inventory = %v, %v", snaps, err)
	}
	if st := c.Stale(time.Now()); len(st) != 0 {
		t.Errorf("stale before any configuration = %v", st)
	}
}

// responder stands in for the agents: it answers every job on tend.cmd.*
// with a raw Result, counting jobs in flight.
type responder struct {
	inflight, peak atomic.Int64
	jobs           atomic.Int64
	hold           time.Duration
	fail           map[string]bool
	ignore         map[string]bool
	wg             sync.WaitGroup
}

func (r *responder) start(t *testing.T, s *natstest.Server) {
	nc, js := rawConn(t, s)
	// The controller may see a result before its publisher has the
	// stream's ack: wait for the publishers before the connection closes.
	t.Cleanup(r.wg.Wait)
	_, err := nc.Subscribe(agentwire.PrefixCommand+"*", func(m *nats.Msg) {
		var job agentwire.Job
		if err := json.Unmarshal(m.Data, &job); err != nil {
			t.Error(err)
			return
		}
		r.jobs.Add(1)
		if r.ignore[job.Host] {
			return
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			n := r.inflight.Add(1)
			for p := r.peak.Load(); n > p && !r.peak.CompareAndSwap(p, n); p = r.peak.Load() {
			}
			time.Sleep(r.hold)
			var plan model.Plan
			_ = json.Unmarshal(job.Plan, &plan)
			status := model.StatusSucceeded
			if r.fail[job.Host] {
				status = model.StatusFailed
			}
			ha := model.HostApply{Host: job.Host}
			for _, a := range plan.Hosts[0].Actions {
				ha.Results = append(ha.Results, model.AppliedAction{ActionID: a.ID, Provider: plan.Hosts[0].Provider, Status: status, Message: "done by the test agent"})
			}
			results, _ := json.Marshal([]model.HostApply{ha})
			res, _ := json.Marshal(agentwire.Result{Version: agentwire.Version, JobID: job.ID, Host: job.Host, Outcome: agentwire.OutcomeApplied,
				StartedAt: time.Now().UTC(), FinishedAt: time.Now().UTC(), HostResults: results, Failed: status == model.StatusFailed})
			r.inflight.Add(-1)
			if _, err := js.Publish(context.Background(), agentwire.ResultsSubject(job.Host), res, jetstream.WithMsgID("result-"+job.ID)); err != nil {
				t.Error(err)
			}
		}()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
}

func agentPlan(hosts []string) *model.Plan {
	p := &model.Plan{FormatVersion: "1"}
	for _, h := range hosts {
		p.Hosts = append(p.Hosts, model.HostPlan{Host: h, Provider: "test", Policy: "p", Ring: "all",
			Actions: []model.Action{{ID: h + "-1", Type: model.ActionUpgrade, Package: "nginx", From: "1", To: "2"}}})
	}
	return p
}

// TestDispatch: apply with the controller as its Agents seam sends each
// agent host its job, takes the agents' results, keeps max_parallel in
// flight at most and halts at max_failures.
func TestDispatch(t *testing.T) {
	s := natstest.Start(t, nil)
	hosts := []string{"a1", "a2", "a3", "a4", "a5", "a6"}
	cfg := agentConfig(t, hosts, "rollout {\n ring \"all\" {\n percent = 100\n }\n max_parallel = 2\n }")
	c := connect(t, s, Options{})
	if _, err := c.PublishDesired(context.Background(), cfg, "c1"); err != nil {
		t.Fatal(err)
	}
	r := &responder{hold: 200 * time.Millisecond}
	r.start(t, s)
	rep := apply.Apply(context.Background(), cfg, nil, agentPlan(hosts), apply.Options{Agents: c})
	if len(rep.Hosts) != 6 || rep.Failed() != 0 {
		t.Fatalf("report: %+v", rep)
	}
	for _, h := range rep.Hosts {
		if h.Results[0].Status != model.StatusSucceeded || h.Results[0].Message != "done by the test agent" {
			t.Errorf("%s: %+v", h.Host, h.Results)
		}
	}
	if p := r.peak.Load(); p < 1 || p > 2 {
		t.Errorf("peak in flight = %d, want at most max_parallel 2", p)
	}
	if n := r.jobs.Load(); n != 6 {
		t.Errorf("jobs sent = %d, want 6", n)
	}
}

// TestDispatchHalts: failures the agents report count toward max_failures.
func TestDispatchHalts(t *testing.T) {
	s := natstest.Start(t, nil)
	hosts := []string{"a1", "a2", "a3", "a4"}
	cfg := agentConfig(t, hosts, "rollout {\n ring \"all\" {\n percent = 100\n }\n max_parallel = 1\n max_failures = 1\n }")
	c := connect(t, s, Options{})
	r := &responder{fail: map[string]bool{"a1": true, "a2": true, "a3": true, "a4": true}}
	r.start(t, s)
	rep := apply.Apply(context.Background(), cfg, nil, agentPlan(hosts), apply.Options{Agents: c})
	var statuses []string
	for _, h := range rep.Hosts {
		statuses = append(statuses, string(h.Results[0].Status))
	}
	if strings.Join(statuses, ",") != "failed,failed,skipped,skipped" || len(rep.Halted) != 1 {
		t.Errorf("statuses = %v, halted = %v", statuses, rep.Halted)
	}
}

// TestDispatchUnreachable: an agent that never answers fails as
// unreachable after the job timeout, and its job is not sent again.
func TestDispatchUnreachable(t *testing.T) {
	s := natstest.Start(t, nil)
	cfg := agentConfig(t, []string{"a1", "a2"}, "")
	c := connect(t, s, Options{JobTimeout: 2 * time.Second})
	r := &responder{ignore: map[string]bool{"a1": true}}
	r.start(t, s)
	rep := apply.Apply(context.Background(), cfg, nil, agentPlan([]string{"a1", "a2"}), apply.Options{Agents: c})
	byHost := map[string]apply.HostResult{}
	for _, h := range rep.Hosts {
		byHost[h.Host] = h
	}
	if e := byHost["a1"].Err; e == nil || !strings.Contains(e.Error(), "unreachable") {
		t.Errorf("a1: err = %v", e)
	}
	if a2 := byHost["a2"]; a2.Failed() {
		t.Errorf("a2: %+v", byHost["a2"])
	}
	_, js := rawConn(t, s)
	st, err := js.Stream(context.Background(), agentwire.StreamJobs)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the work queue to be empty", func() bool {
		info, err := st.Info(context.Background())
		return err == nil && info.State.Msgs == 0
	})
	if n := r.jobs.Load(); n != 2 {
		t.Errorf("jobs sent = %d, want 2 (none re-sent)", n)
	}
}

// TestPresence: an agent no configuration declares is unmanaged; a
// declared agent silent past the threshold is stale.
func TestPresence(t *testing.T) {
	s := natstest.Start(t, nil)
	cfg := agentConfig(t, []string{"a1"}, "")
	c := connect(t, s, Options{StaleAfter: time.Hour})
	if _, err := c.PublishDesired(context.Background(), cfg, "c1"); err != nil {
		t.Fatal(err)
	}
	nc, _ := rawConn(t, s)
	for _, h := range []string{"a1", "stray"} {
		data, _ := json.Marshal(agentwire.Hello{Version: agentwire.Version, Host: h, At: time.Now().UTC()})
		if err := nc.Publish(agentwire.HelloSubject(h), data); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the hellos", func() bool { _, ok := c.Hello("stray"); _, ok2 := c.Hello("a1"); return ok && ok2 })
	if got := c.Unmanaged(); !slices.Equal(got, []string{"stray"}) {
		t.Errorf("unmanaged = %v", got)
	}
	if got := c.Stale(time.Now()); len(got) != 0 {
		t.Errorf("stale now = %v", got)
	}
	if got := c.Stale(time.Now().Add(2 * time.Hour)); !slices.Equal(got, []string{"a1", "loner"}) {
		t.Errorf("stale in 2h = %v", got)
	}
}

// TestEmbedded: the embedded server takes the controller's streams.
func TestEmbedded(t *testing.T) {
	e, err := StartEmbedded("127.0.0.1:0", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Shutdown()
	c, err := Connect(context.Background(), Options{URL: e.URL(), Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.PublishDesired(context.Background(), agentConfig(t, []string{"a1"}, ""), "c1"); err != nil {
		t.Fatal(err)
	}
}
