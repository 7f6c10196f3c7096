package daemon

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/webhook"
	"github.com/tend-sh/tend/providers/apt/apttest"
)

// served is a daemon running its loop behind an HTTP server, as tend serve
// runs it.
type served struct {
	d        *Daemon
	srv      *Servers
	url      string
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
	srv, err := s.d.Serve(ServeOptions{WebhookAddr: "127.0.0.1:0", Webhook: wh})
	if err != nil {
		t.Fatal(err)
	}
	s.srv, s.url = srv, "http://"+srv.WebhookAddr()
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
	req, _ := http.NewRequest(http.MethodPost, s.url+"/webhook", bytes.NewReader(body))
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
	resp, err := http.Get(s.url + path)
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
	// The same delivery again is acknowledged and starts nothing: were it
	// to, its reconcile (state ok) would be the next one seen below.
	if code := s.push(t, commit, s.secret); code != http.StatusOK {
		t.Fatalf("redelivery: status %d, want 200", code)
	}
	if got := testutil.ToFloat64(s.m.Webhooks.WithLabelValues(webhook.ResultDuplicate)); got != 1 {
		t.Errorf("duplicate webhooks = %v", got)
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

// httpDaemon is a daemon that never reconciled, enough for its HTTP
// servers.
func httpDaemon() *Daemon {
	log := logrus.New()
	log.Out = io.Discard
	return &Daemon{o: Options{Metrics: metrics.New()}, log: log}
}

// countingListener counts the bytes its connections read and how many of
// them are open at once. A connection counts as closed as soon as Close is
// called, before the connection limit above it hands out its slot.
type countingListener struct {
	net.Listener
	read          atomic.Int64
	mu            sync.Mutex
	open, maxOpen int
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.open++
	l.maxOpen = max(l.maxOpen, l.open)
	l.mu.Unlock()
	return &countingConn{Conn: c, l: l}, nil
}

func (l *countingListener) max() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.maxOpen
}

type countingConn struct {
	net.Conn
	l    *countingListener
	once sync.Once
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

func listenLocal(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// serveCounted serves the public listener on a counted loopback listener
// and the metrics listener on another.
func serveCounted(t *testing.T, d *Daemon, wh http.Handler, l HTTPLimits) (*Servers, *countingListener) {
	t.Helper()
	cl := &countingListener{Listener: listenLocal(t)}
	s := d.serve(cl, listenLocal(t), wh, l)
	t.Cleanup(func() { _ = s.Close() })
	return s, cl
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readResponse reads one response from c, waiting up to 30 s.
func readResponse(t *testing.T, c net.Conn) (int, string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const webhookHead = "POST /webhook HTTP/1.1\r\nHost: tend\r\nX-Tend-Signature: sha256=00\r\n"

// TestWebhookListenerBodyLimit: over a real connection, a body larger than
// the limit is answered 413 from its Content-Length; the server reads its
// headers and not the body, so no HMAC is computed over it.
func TestWebhookListenerBodyLimit(t *testing.T) {
	d := httpDaemon()
	wh := &webhook.Handler{Secret: []byte("s3cret"), Branch: "main", Trigger: func(webhook.Push) { t.Error("triggered") }}
	s, cl := serveCounted(t, d, wh, HTTPLimits{})
	const size = 8 << 20
	c := dial(t, s.WebhookAddr())
	go func() {
		_, _ = fmt.Fprintf(c, "%sContent-Length: %d\r\n\r\n", webhookHead, size)
		_, _ = c.Write(make([]byte, size)) // fails once the server closed: fine
	}()
	code, body := readResponse(t, c)
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d (%q), want 413", code, body)
	}
	if n := cl.read.Load(); n >= webhook.DefaultMaxBody {
		t.Errorf("the server read %d bytes of an %d-byte request, want less than the %d-byte limit", n, size, webhook.DefaultMaxBody)
	}
}

// closedWithin trickles a byte into c every 50 ms until the server closes
// the connection, and fails if it has not after 5 minutes. Response bytes the
// server sends first are skipped.
func closedWithin(t *testing.T, c net.Conn, trickle string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	buf := make([]byte, 4096)
	for i := 0; time.Now().Before(deadline); i++ {
		if _, err := c.Write([]byte{trickle[i%len(trickle)]}); err != nil {
			return // reset by the server
		}
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			return // EOF or reset: closed
		}
	}
	t.Fatal("the server kept a trickling client's connection open for 30 s")
}

// TestWebhookListenerSlowClient: a client that trickles its headers or its
// body is disconnected by the server's timeouts, however steadily it
// sends.
func TestWebhookListenerSlowClient(t *testing.T) {
	d := httpDaemon()
	wh := &webhook.Handler{Secret: []byte("s3cret"), Branch: "main"}
	s, _ := serveCounted(t, d, wh, HTTPLimits{ReadHeaderTimeout: 500 * time.Millisecond, ReadTimeout: time.Second, WriteTimeout: time.Second})
	t.Run("headers", func(t *testing.T) {
		c := dial(t, s.WebhookAddr())
		_, _ = io.WriteString(c, webhookHead)
		closedWithin(t, c, "X-Slow: aaaaaaaaaaaaaaaaaaaaaaa\r\n")
	})
	t.Run("body", func(t *testing.T) {
		c := dial(t, s.WebhookAddr())
		_, _ = fmt.Fprintf(c, "%sContent-Length: 100000\r\n\r\n{", webhookHead)
		closedWithin(t, c, `"ref": "refs/heads/main",`)
	})
}

// TestWebhookListenerFull: with the webhook listener's requests and
// connections at their limits, one more webhook is answered 503 at once,
// the metrics listener answers /healthz, and no more than MaxConns
// connections are ever open on the webhook listener.
func TestWebhookListenerFull(t *testing.T) {
	const maxConns = 4
	d := httpDaemon()
	wh := &webhook.Handler{Secret: []byte("s3cret"), Branch: "main", MaxConcurrent: 2}
	long := 10 * time.Minute // the test closes its connections itself
	s, cl := serveCounted(t, d, wh, HTTPLimits{ReadHeaderTimeout: long, ReadTimeout: long, WriteTimeout: long, IdleTimeout: long, MaxConns: maxConns})

	var held []net.Conn
	for range 2 { // slow bodies: each holds one of the handler's slots
		c := dial(t, s.WebhookAddr())
		_, _ = fmt.Fprintf(c, "%sContent-Length: 1000\r\n\r\n{", webhookHead)
		held = append(held, c)
	}
	// Until both slow requests hold their slots, a quick one is answered
	// 401 (its signature is wrong); then 503, without its body being read.
	deadline := time.Now().Add(5 * time.Minute)
	for {
		c := dial(t, s.WebhookAddr())
		_, _ = fmt.Fprintf(c, "%sContent-Length: 2\r\n\r\n{}", webhookHead)
		code, body := readResponse(t, c)
		c.Close()
		if code == http.StatusServiceUnavailable {
			break
		}
		if code != http.StatusUnauthorized || time.Now().After(deadline) {
			t.Fatalf("with MaxConcurrent requests reading their bodies: status %d (%q), want 503", code, body)
		}
	}
	for range maxConns - 2 { // idle connections fill the listener
		held = append(held, dial(t, s.WebhookAddr()))
	}
	var waiting []net.Conn
	for range 3 { // over the limit: wait in the accept queue
		c := dial(t, s.WebhookAddr())
		_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: tend\r\n\r\n")
		waiting = append(waiting, c)
	}

	if code, body := httpGet(t, "http://"+s.MetricsAddr()+"/healthz"); code != http.StatusOK {
		t.Fatalf("metrics listener /healthz with the webhook listener full: %d %q", code, body)
	}
	if code, _ := httpGet(t, "http://"+s.MetricsAddr()+"/metrics"); code != http.StatusOK {
		t.Fatalf("metrics listener /metrics with the webhook listener full: %d", code)
	}

	// Closing the held connections lets the waiting ones in, each
	// answered.
	for _, c := range held {
		c.Close()
	}
	for i, c := range waiting {
		if code, body := readResponse(t, c); code != http.StatusOK {
			t.Errorf("waiting connection %d: %d %q", i, code, body)
		}
	}
	if n := cl.max(); n > maxConns {
		t.Errorf("%d connections open at once on the webhook listener, limit %d", n, maxConns)
	}
}

// TestWebhookListenerReplay: the same delivery sent twice over HTTP is
// accepted once and acknowledged as a duplicate the second time; one
// push is triggered.
func TestWebhookListenerReplay(t *testing.T) {
	d := httpDaemon()
	secret := []byte("s3cret")
	var mu sync.Mutex
	var pushes []webhook.Push
	wh := &webhook.Handler{Secret: secret, Branch: "main",
		Trigger: func(p webhook.Push) { mu.Lock(); pushes = append(pushes, p); mu.Unlock() }}
	s, _ := serveCounted(t, d, wh, HTTPLimits{})
	body := []byte(`{"ref": "refs/heads/main", "after": "9f2c3e8a1b7d4c6e0f5a2b3c4d5e6f708192a3b4"}`)
	send := func() (int, string) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+s.WebhookAddr()+"/webhook", bytes.NewReader(body))
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
		req.Header.Set("X-Hub-Signature-256", webhook.Sign(secret, body))
		resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, msg := send(); code != http.StatusAccepted {
		t.Fatalf("first delivery: %d %q", code, msg)
	}
	if code, msg := send(); code != http.StatusOK || !strings.HasPrefix(msg, "duplicate delivery") {
		t.Fatalf("redelivery: %d %q, want 200 duplicate delivery", code, msg)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(pushes) != 1 {
		t.Fatalf("%d pushes triggered, want 1", len(pushes))
	}
}

// TestReadyzDetails: the reason a daemon is not ready (diagnostics with
// paths in the state dir) is served on the metrics listener only; the
// public webhook listener says "not ready", also when it is the only
// listener.
func TestReadyzDetails(t *testing.T) {
	d := httpDaemon()
	d.status = Status{Reconciled: true, Head: "0badc0de0badc0de0badc0de0badc0de0badc0de", State: StateInvalid,
		Problem:     "configuration does not load",
		Diagnostics: []string{"/var/lib/tend/exports/0badc0d/lab.tend.hcl:3:1: error: Unclosed configuration block"}}
	wh := &webhook.Handler{Secret: []byte("s3cret"), Branch: "main"}
	s, _ := serveCounted(t, d, wh, HTTPLimits{})
	if code, body := httpGet(t, "http://"+s.WebhookAddr()+"/readyz"); code != http.StatusServiceUnavailable || body != "not ready\n" {
		t.Errorf("webhook listener /readyz: %d %q, want 503 \"not ready\\n\"", code, body)
	}
	if code, body := httpGet(t, "http://"+s.MetricsAddr()+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "lab.tend.hcl:3:1: error: Unclosed") {
		t.Errorf("metrics listener /readyz: %d %q, want 503 with the diagnostics", code, body)
	}
	if code, _ := httpGet(t, "http://"+s.WebhookAddr()+"/metrics"); code != http.StatusNotFound {
		t.Errorf("webhook listener /metrics with a metrics listener: %d, want 404", code)
	}

	one, err := d.Serve(ServeOptions{WebhookAddr: "127.0.0.1:0", Webhook: wh})
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	if code, body := httpGet(t, "http://"+one.WebhookAddr()+"/readyz"); code != http.StatusServiceUnavailable || body != "not ready\n" {
		t.Errorf("only listener /readyz: %d %q, want 503 \"not ready\\n\"", code, body)
	}
	if code, _ := httpGet(t, "http://"+one.WebhookAddr()+"/metrics"); code != http.StatusOK {
		t.Errorf("only listener /metrics: %d, want 200", code)
	}
	d.status = Status{Reconciled: true, State: StateOK, Applied: "0badc0de0badc0de0badc0de0badc0de0badc0de"}
	if code, body := httpGet(t, "http://"+one.WebhookAddr()+"/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Errorf("only listener /readyz when ready: %d %q", code, body)
	}
}
