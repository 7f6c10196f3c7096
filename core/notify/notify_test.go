package notify_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/notify"
	"github.com/tend-sh/tend/core/notify/notifytest"
	"github.com/tend-sh/tend/core/notify/sink"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func open(t *testing.T, dir string, mod func(*notify.Options)) *notify.Notifier {
	t.Helper()
	log := logrus.New()
	log.SetOutput(&strings.Builder{})
	o := notify.Options{Dir: dir, Sender: sink.New, Log: log, MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	if mod != nil {
		mod(&o)
	}
	n, err := notify.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	n.Start()
	t.Cleanup(n.Close)
	return n
}

func hook(t *testing.T, r *notifytest.Receiver, name string) notify.Spec {
	t.Setenv("HOOK_"+name, r.URL())
	return notify.Spec{Name: name, Type: "webhook", URL: notify.Secret{Env: "HOOK_" + name}, MinSeverity: "info",
		RebootPendingAfter: time.Hour, ExpiringWithin: 7 * 24 * time.Hour}
}

func ev(kind, host, summary string) notify.Event {
	return notify.Event{Kind: kind, Severity: notify.SeverityCritical, Host: host, Summary: summary,
		Labels: map[string]string{"client": map[string]string{"web_1": "acme", "db_1": "globex"}[host]}}
}

func count(n int) func([]notifytest.Request) bool {
	return func(r []notifytest.Request) bool { return len(r) >= n }
}

// TestOncePerCondition: a condition that stays is sent once; it is sent
// again when it changes, or when it cleared and came back.
func TestOncePerCondition(t *testing.T) {
	r := notifytest.NewReceiver(t)
	n := open(t, t.TempDir(), nil)
	s := []notify.Spec{hook(t, r, "ops")}
	failed := ev(notify.KindApplyFailed, "web_1", "1 action failed")
	for range 3 {
		if err := n.Publish(s, []notify.Event{failed}); err != nil {
			t.Fatal(err)
		}
	}
	r.Wait(time.Minute, count(1))
	changed := failed
	changed.Summary = "2 actions failed"
	n.Publish(s, []notify.Event{changed})
	r.Wait(time.Minute, count(2))
	n.Publish(s, nil) // cleared
	n.Publish(s, []notify.Event{changed})
	reqs := r.Wait(time.Minute, count(3))
	waitEmpty(t, n)
	if len(r.Requests()) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
}

func waitEmpty(t *testing.T, n *notify.Notifier) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for len(n.Pending()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("outbox not empty: %+v", n.Pending()[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRouting: only_on, severity, labels (fleet-wide events only to sinks
// without a match) and the thresholds.
func TestRouting(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	since := now.Add(-2 * time.Hour)
	soon, late := now.Add(3*24*time.Hour), now.Add(30*24*time.Hour)
	base := notify.Spec{MinSeverity: "info", RebootPendingAfter: time.Hour, ExpiringWithin: 7 * 24 * time.Hour}
	acme := base
	acme.Match = map[string]string{"client": "acme"}
	halts := base
	halts.OnlyOn = []string{notify.KindRolloutHalted}
	loud := base
	loud.MinSeverity = "critical"
	slow := base
	slow.RebootPendingAfter = 72 * time.Hour
	reboot := ev(notify.KindRebootPending, "web_1", "x")
	reboot.Severity, reboot.Since = "warning", &since
	exSoon := notify.Event{Kind: notify.KindExclusionExpiring, Severity: "info", Until: &soon}
	exLate := exSoon
	exLate.Until = &late
	for _, c := range []struct {
		name string
		s    notify.Spec
		e    notify.Event
		want bool
	}{
		{"all", base, ev(notify.KindApplyFailed, "web_1", "x"), true},
		{"client matches", acme, ev(notify.KindApplyFailed, "web_1", "x"), true},
		{"other client", acme, ev(notify.KindApplyFailed, "db_1", "x"), false},
		{"fleet-wide to a client's sink", acme, notify.Event{Kind: notify.KindConfigRejected, Severity: "critical"}, false},
		{"only_on", halts, ev(notify.KindApplyFailed, "web_1", "x"), false},
		{"only_on matches", halts, ev(notify.KindRolloutHalted, "", "x"), true},
		{"below severity", loud, reboot, false},
		{"reboot long enough", base, reboot, true},
		{"reboot not yet", slow, reboot, false},
		{"expiring soon", base, exSoon, true},
		{"expiring later", base, exLate, false},
	} {
		if got := c.s.Routes(&c.e, now); got != c.want {
			t.Errorf("%s: Routes = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestThresholdReachedLater: a reboot pending shorter than the threshold
// is not sent; it is once it has been pending long enough, counted from
// when it was first seen (which survives a restart).
func TestThresholdReachedLater(t *testing.T) {
	r := notifytest.NewReceiver(t)
	c := &clock{t: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	n := open(t, dir, func(o *notify.Options) { o.Now = c.Now })
	s := []notify.Spec{hook(t, r, "ops")}
	reboot := ev(notify.KindRebootPending, "web_1", "web_1 waits for a reboot")
	n.Publish(s, []notify.Event{reboot})
	if len(n.Pending()) != 0 {
		t.Fatal("sent before the threshold")
	}
	n.Close()
	c.Add(2 * time.Hour)
	n = open(t, dir, func(o *notify.Options) { o.Now = c.Now })
	n.Publish(s, []notify.Event{reboot})
	reqs := r.Wait(time.Minute, count(1))
	if !strings.Contains(string(reqs[0].Body), `"since":"2026-12-02T00:00:00Z"`) {
		t.Errorf("body: %s", reqs[0].Body)
	}
}

// TestDigest: a digest sink's events wait and go out as one message once
// the digest is due.
func TestDigest(t *testing.T) {
	r := notifytest.NewReceiver(t)
	c := &clock{t: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}
	n := open(t, t.TempDir(), func(o *notify.Options) { o.Now = c.Now })
	s := hook(t, r, "daily")
	s.Digest = 24 * time.Hour
	n.Publish([]notify.Spec{s}, []notify.Event{ev(notify.KindApplyFailed, "web_1", "a")})
	c.Add(time.Hour)
	n.Publish([]notify.Spec{s}, []notify.Event{ev(notify.KindApplyFailed, "web_1", "a"), ev(notify.KindDrift, "db_1", "b")})
	if len(n.Pending()) != 0 || len(r.Requests()) != 0 {
		t.Fatal("a digest went out early")
	}
	c.Add(24 * time.Hour)
	n.Publish([]notify.Spec{s}, []notify.Event{ev(notify.KindApplyFailed, "web_1", "a"), ev(notify.KindDrift, "db_1", "b")})
	reqs := r.Wait(time.Minute, count(1))
	var body = string(reqs[0].Body)
	if !strings.Contains(body, `"digest":true`) || strings.Count(body, `"kind"`) != 2 || reqs[0].Header.Get(sink.HeaderEvent) != "digest" {
		t.Errorf("digest: %s", body)
	}
}

// TestRateLimit: beyond rate_limit messages an hour, the rest wait in the
// outbox.
func TestRateLimit(t *testing.T) {
	r := notifytest.NewReceiver(t)
	n := open(t, t.TempDir(), nil)
	s := hook(t, r, "ops")
	s.RateLimit = 2
	n.Publish([]notify.Spec{s}, []notify.Event{ev(notify.KindApplyFailed, "web_1", "a"),
		ev(notify.KindApplyFailed, "db_1", "b"), ev(notify.KindDrift, "db_1", "c")})
	r.Wait(time.Minute, count(2))
	deadline := time.Now().Add(time.Minute)
	for len(n.Pending()) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("pending: %d, want 1 held back", len(n.Pending()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := len(r.Requests()); got != 2 {
		t.Fatalf("%d sent, want 2", got)
	}
}

// TestRetriedAcrossRestart: with the receiver down the message is retried
// (counted in the metrics), survives a restart in the outbox, and is
// delivered once the receiver is back.
func TestRetriedAcrossRestart(t *testing.T) {
	r := notifytest.NewReceiver(t)
	r.Stop()
	dir := t.TempDir()
	m := metrics.New()
	n := open(t, dir, func(o *notify.Options) { o.Metrics = m })
	s := []notify.Spec{hook(t, r, "ops")}
	n.Publish(s, []notify.Event{ev(notify.KindRolloutHalted, "", "halted")})
	deadline := time.Now().Add(time.Minute)
	for testutil.ToFloat64(m.Notifications.WithLabelValues("ops", "failed")) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("no retries counted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	n.Close()
	p := n.Pending()
	if len(p) != 1 || p[0].Attempts < 2 || !strings.Contains(p[0].LastError, "connection refused") {
		t.Fatalf("outbox: %+v", p)
	}
	r.Start()
	m2 := metrics.New()
	n2 := open(t, dir, func(o *notify.Options) { o.Metrics = m2 })
	r.Wait(time.Minute, count(1))
	waitEmpty(t, n2)
	if testutil.ToFloat64(m2.Notifications.WithLabelValues("ops", "sent")) != 1 {
		t.Error("sent not counted")
	}
}

// TestExpired: a message that could not be sent within Expire is dropped,
// logged and counted.
func TestExpired(t *testing.T) {
	r := notifytest.NewReceiver(t)
	r.Stop()
	c := &clock{t: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}
	m := metrics.New()
	n := open(t, t.TempDir(), func(o *notify.Options) { o.Now, o.Metrics, o.Expire = c.Now, m, time.Hour })
	n.Publish([]notify.Spec{hook(t, r, "ops")}, []notify.Event{ev(notify.KindRolloutHalted, "", "halted")})
	c.Add(2 * time.Hour)
	n.Publish(nil, nil) // wakes the worker
	waitEmpty(t, n)
	if testutil.ToFloat64(m.Notifications.WithLabelValues("ops", "expired")) != 1 {
		t.Error("expiry not counted")
	}
}
