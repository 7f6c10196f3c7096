package daemon

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/notify"
	"github.com/tend-sh/tend/core/notify/notifytest"
)

// testClock is a clock the test moves forward.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// TestUnmanagedAndSilentAgents is the "every device accounted for"
// scenario with a real nats-server and real hello messages: an agent no
// configuration declares shows up in SUMMARY.md, summary.json and
// /metrics, and one notification goes to a webhook however often the
// daemon reconciles; a declared agent host silent past the threshold is
// marked stale in its report.json, the summary and /metrics, and
// notified once; once the entry tend hosts export --unmanaged makes is
// committed, the agent is managed.
func TestUnmanagedAndSilentAgents(t *testing.T) {
	l := newLab(t, securityLab)
	hook := notifytest.NewReceiver(t)
	t.Setenv("TEST_TEND_HOOK_URL", hook.URL())
	secret := filepath.Join(t.TempDir(), "hook-secret")
	if err := os.WriteFile(secret, []byte("hook-s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := policyConf(l.root.Dir, securityOnly) + `
host "laptop" {
  transport = "agent"
  labels    = { client = "acme" }
}
notify "ops" {
  type    = "webhook"
  url_env = "TEST_TEND_HOOK_URL"
  only_on = ["unmanaged_agent", "agent_stale"]
  secret_file = "` + secret + `"
}
`
	l.write("patching/lab.tend.hcl", conf)
	l.commit("a laptop with an agent, and tell ops")

	ctl, nc := l.controller(fleet.Options{PresenceFile: fleet.PresencePath(l.state), EnrolledDir: fleet.EnrolledPath(l.state), StaleAfter: time.Hour})
	hello := func(host string, labels map[string]string) {
		t.Helper()
		data, _ := json.Marshal(agentwire.Hello{Version: agentwire.Version, Host: host, AgentVersion: "0.9.0", Groups: []string{"web"},
			Revisions: map[string]uint64{}, Labels: labels, Facts: map[string]string{"os": "debian", "release": "12"}, At: time.Now().UTC()})
		if err := nc.Publish(agentwire.HelloSubject(host), data); err != nil {
			t.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	heard := func(host string, after time.Time) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
			if h, ok := ctl.Hello(host); ok && !h.At.Before(after) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the controller did not hear %s's hello", host)
			}
		}
	}
	start := time.Now().UTC().Add(-time.Second)
	hello("stray", map[string]string{"client": "acme", "role": "kiosk"})
	hello("laptop", nil)
	heard("stray", start)
	heard("laptop", start)

	clock := &testClock{}
	m := metrics.New()
	d := l.daemon(func(o *Options) {
		o.Fleet = ctl
		o.Metrics = m
		o.Now = clock.Now
		o.NotifyBackoff = 50 * time.Millisecond
	})
	out := l.reconcile(d)
	if out.Summary == nil || out.Summary.Agents == nil {
		t.Fatalf("no agents in the summary: %+v\nlogs:\n%s", out.Summary, l.logs)
	}

	md := l.reports("SUMMARY.md")
	if !strings.Contains(md, "## Unmanaged agents") || !strings.Contains(md, "| stray | acme |") || strings.Contains(md, "## Silent agent hosts") {
		t.Errorf("SUMMARY.md:\n%s", md)
	}
	var sum model.FleetSummary
	l.reportsJSON("summary.json", &sum)
	if a := sum.Agents; a == nil || len(a.Unmanaged) != 1 || a.Unmanaged[0].Host != "stray" || a.Unmanaged[0].Client != "acme" ||
		a.Unmanaged[0].Facts["os"] != "debian" || a.Unmanaged[0].FirstSeen == nil || len(a.Stale) != 0 || a.StaleAfter != "1h" {
		t.Errorf("summary.json agents: %+v", sum.Agents)
	}
	var acme model.FleetSummary
	l.reportsJSON("clients/acme/summary.json", &acme)
	if acme.Agents == nil || len(acme.Agents.Unmanaged) != 1 {
		t.Errorf("acme's summary.json agents: %+v", acme.Agents)
	}
	var rep model.Report
	l.reportsJSON("hosts/laptop/report.json", &rep)
	if rep.Agent == nil || rep.Agent.LastSeen == nil || rep.Agent.Stale {
		t.Errorf("laptop's report.json agent: %+v", rep.Agent)
	}
	if got := testutil.ToFloat64(m.Agents.WithLabelValues(metrics.AgentsUnmanaged)); got != 1 {
		t.Errorf("tend_agents{state=unmanaged} = %v", got)
	}
	if got := testutil.ToFloat64(m.Agents.WithLabelValues(metrics.AgentsStale)); got != 0 {
		t.Errorf("tend_agents{state=stale} = %v", got)
	}
	const wait = 2 * time.Minute
	reqs := hook.Wait(wait, count(1))
	if ev := hookEvents(t, reqs, "hook-s3cret", notify.KindUnmanagedAgent); len(ev) != 1 || ev[0].Host != "stray" || ev[0].Labels["client"] != "acme" {
		t.Errorf("unmanaged_agent events: %+v", ev)
	}

	// The stray agent keeps saying hello: no second notification.
	again := time.Now().UTC()
	hello("stray", map[string]string{"client": "acme", "role": "kiosk"})
	heard("stray", again)
	l.reconcile(d)
	waitOutbox(t, d)
	if n := len(hook.Requests()); n != 1 {
		t.Errorf("webhook got %d requests after a second reconcile, want 1", n)
	}

	// Two hours later the laptop has been silent for longer than an hour.
	clock.advance(2 * time.Hour)
	l.reconcile(d)
	l.reportsJSON("summary.json", &sum)
	if a := sum.Agents; a == nil || len(a.Stale) != 1 || a.Stale[0].Host != "laptop" || a.Stale[0].Client != "acme" || a.Stale[0].LastSeen == nil {
		t.Errorf("summary.json agents two hours later: %+v", sum.Agents)
	}
	l.reportsJSON("hosts/laptop/report.json", &rep)
	if rep.Agent == nil || !rep.Agent.Stale {
		t.Errorf("laptop's report.json two hours later: state %s, agent %+v", rep.State, rep.Agent)
	}
	if md := l.reports("SUMMARY.md"); !strings.Contains(md, "## Silent agent hosts") || !strings.Contains(md, "| laptop | acme |") {
		t.Errorf("SUMMARY.md two hours later:\n%s", md)
	}
	if got := testutil.ToFloat64(m.Agents.WithLabelValues(metrics.AgentsStale)); got != 1 {
		t.Errorf("tend_agents{state=stale} two hours later = %v", got)
	}
	reqs = hook.Wait(wait, count(2))
	if ev := hookEvents(t, reqs, "hook-s3cret", notify.KindAgentStale); len(ev) != 1 || ev[0].Host != "laptop" || ev[0].Since == nil {
		t.Errorf("agent_stale events: %+v", ev)
	}

	// The entry tend hosts export --unmanaged prints, from the state dir,
	// committed as a hosts file: the stray agent is managed.
	pf, err := fleet.ReadPresence(fleet.PresencePath(l.state))
	if err != nil {
		t.Fatal(err)
	}
	entries := fleet.HostListEntries(pf.Report(clock.Now(), time.Hour, nil).Unmanaged, "")
	hostsFile, err := config.EncodeHostList(entries)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[\n  {\"name\":\"stray\",\"transport\":\"agent\",\"labels\":{\"client\":\"acme\",\"role\":\"kiosk\"}}\n]\n"; string(hostsFile) != want {
		t.Fatalf("exported:\n%s", hostsFile)
	}
	l.write("patching/agents.json", string(hostsFile))
	l.write("patching/lab.tend.hcl", conf+"hosts \"new_agents\" {\n  file = \"agents.json\"\n}\n")
	l.commit("declare the stray agent")
	out = l.reconcile(d)
	l.reportsJSON("summary.json", &sum)
	if a := sum.Agents; a == nil || len(a.Unmanaged) != 0 {
		t.Errorf("summary.json agents once declared: %+v", sum.Agents)
	}
	if md := l.reports("SUMMARY.md"); strings.Contains(md, "## Unmanaged agents") {
		t.Errorf("SUMMARY.md once declared:\n%s", md)
	}
	if got := testutil.ToFloat64(m.Agents.WithLabelValues(metrics.AgentsUnmanaged)); got != 0 {
		t.Errorf("tend_agents{state=unmanaged} once declared = %v", got)
	}
	l.reportsJSON("hosts/stray/report.json", &rep)
	if rep.Host != "stray" || rep.Client != "acme" || rep.Agent == nil || rep.Agent.LastSeen == nil {
		t.Errorf("stray's report.json once declared: %+v", rep)
	}
	if out.Summary.Hosts != 3 {
		t.Errorf("hosts = %d, want lab, laptop and stray", out.Summary.Hosts)
	}
	// By the test's clock, two hours ahead, stray's last hello is two
	// hours old: declared, it is a silent agent host now.
	reqs = hook.Wait(wait, count(3))
	waitOutbox(t, d)
	if n := len(hook.Requests()); n != 3 {
		t.Errorf("webhook got %d requests in all, want 3 (unmanaged stray, silent laptop, silent stray)", n)
	}
	if ev := hookEvents(t, reqs, "hook-s3cret", notify.KindAgentStale); len(ev) != 2 || ev[1].Host != "stray" {
		t.Errorf("agent_stale events: %+v", ev)
	}
}

// waitOutbox waits until the daemon's notifier has nothing left to send.
func waitOutbox(t *testing.T, d *Daemon) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); len(d.notifier.Pending()) > 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("notifications still queued")
		}
	}
}
