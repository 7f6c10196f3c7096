package daemon

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/webhook"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// served is a daemon running its loop behind an HTTP server, as tend serve
// runs it.
type served struct {
	d        *Daemon
	srv      *httptest.Server
	m        *metrics.Metrics
	applying chan string // config commits whose apply started
	done     chan *Outcome
	secret   []byte
}

func (l *lab) serve(t testing.TB) *served {
	s := &served{m: metrics.New(), applying: make(chan string, 16), done: make(chan *Outcome, 16), secret: []byte("s3cret")}
	s.d = l.daemon(func(o *Options) {
		o.Interval = time.Hour // only webhooks trigger reconciles here
		o.Metrics = s.m
		o.OnApplyStart = func(c string) { s.applying <- c }
		o.OnReconciled = func(out *Outcome, _ error) { s.done <- out }
	})
	wh := &webhook.Handler{Secret: s.secret, Branch: "main", Trigger: s.d.Notify,
		Observe: func(r string) { s.m.Webhooks.WithLabelValues(r).Inc() }}
	s.srv = httptest.NewServer(s.d.Handler(wh))
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { _ = s.d.Run(ctx); close(stopped) }()
	t.Cleanup(func() {
		cancel()
		<-stopped
		s.srv.Close()
	})
	<-s.done // the start-up reconcile
	return s
}

// push sends a GitHub push webhook for commit, signed with secret.
func (s *served) push(t testing.TB, commit string, secret []byte) int {
	body := []byte(fmt.Sprintf(`{"ref": "refs/heads/main", "after": %q, "repository": {"full_name": "acme/patching"}}`, commit))
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-Hub-Signature-256", webhook.Sign(secret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (s *served) get(t testing.TB, path string) int {
	resp, err := http.Get(s.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestWebhookTriggersApply: a pushed policy change is applied on its
// signed webhook, without waiting for the (hour-long) poll; a bad
// signature gets 401 and triggers nothing; a broken commit leaves
// /healthz up and /readyz failing.
func TestWebhookTriggersApply(t *testing.T) {
	l := newLab(t, securityLab)
	s := l.serve(t)
	<-s.applying // the start-up reconcile applied openssl
	if s.get(t, "/healthz") != 200 || s.get(t, "/readyz") != 200 || s.get(t, "/metrics") != 200 {
		t.Fatal("health endpoints not all 200 after a good reconcile")
	}

	// Approve every update: tzdata now too.
	l.write("patching/lab.tend.hcl", policyConf(l.root.Dir, `  approve {
    classification = ["security", "updates"]
  }`))
	commit := l.commit("approve all")

	if code := s.push(t, commit, []byte("wrong secret")); code != http.StatusUnauthorized {
		t.Fatalf("bad signature: status %d, want 401", code)
	}
	select {
	case out := <-s.done:
		t.Fatalf("a bad signature triggered a reconcile: %+v", out)
	case <-time.After(500 * time.Millisecond):
	}
	if got := testutil.ToFloat64(s.m.Webhooks.WithLabelValues(webhook.ResultUnauthorized)); got != 1 {
		t.Errorf("unauthorized webhooks = %v", got)
	}

	if code := s.push(t, commit, s.secret); code != http.StatusAccepted {
		t.Fatalf("good signature: status %d, want 202", code)
	}
	select {
	case c := <-s.applying:
		if c != commit {
			t.Fatalf("applied config %s, want %s", c, commit)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the webhook did not trigger an apply")
	}
	<-s.done
	if got := l.root.Installed(t)["tzdata"]; got != "2025b-1" {
		t.Fatalf("tzdata = %s after the webhook's reconcile", got)
	}

	// A syntax error: reported, daemon keeps running, not ready.
	l.write("patching/lab.tend.hcl", "policy \"security_only\" {\n")
	bad := l.commit("oops")
	if code := s.push(t, bad, s.secret); code != http.StatusAccepted {
		t.Fatalf("status %d", code)
	}
	if out := <-s.done; out.State != StateInvalid {
		t.Fatalf("state %s after a broken commit", out.State)
	}
	if s.get(t, "/healthz") != 200 || s.get(t, "/readyz") != http.StatusServiceUnavailable {
		t.Fatal("want /healthz 200 and /readyz 503 with a broken head")
	}
	if got := testutil.ToFloat64(s.m.ConfigValid); got != 0 {
		t.Errorf("tend_config_valid = %v", got)
	}
}

// BenchmarkWebhookToApply measures push → apply-start latency: the time
// from sending a signed webhook for a new commit to the daemon starting
// the apply of that commit's configuration (fetch, export, load, scan of a
// real apt root, plan). The poll interval is an hour, so only the webhook
// can explain it. Reports the median as ms/median.
func BenchmarkWebhookToApply(b *testing.B) {
	l := newLab(b, securityLab)
	s := l.serve(b)
	<-s.applying
	var took []time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		l.root.Publish(b, apttest.Security, apttest.Pkg{Name: "openssl", Version: fmt.Sprintf("3.0.20-%d", i+3)})
		l.root.Update(b)
		l.write("patching/note.tend.hcl", fmt.Sprintf("# change %d\n", i))
		commit := l.commit(fmt.Sprintf("change %d", i))
		b.StartTimer()
		start := time.Now()
		if code := s.push(b, commit, s.secret); code != http.StatusAccepted {
			b.Fatalf("webhook status %d", code)
		}
		if c := <-s.applying; c != commit {
			b.Fatalf("applied %s, want %s", c, commit)
		}
		took = append(took, time.Since(start))
		b.StopTimer()
		<-s.done
		b.StartTimer()
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms/median")
}
