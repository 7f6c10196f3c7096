package fleetauth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/config"
)

// fleet is the test's MSP: client acme with web_1 (group web) and web_2
// (group db), client fabrikam with its own web_1 (group web).
func fleet() *config.Config {
	host := func(name, client, role string) *config.Host {
		return &config.Host{Name: name, Transport: "agent", Labels: map[string]string{"client": client, "role": role}}
	}
	return &config.Config{
		Hosts: map[string]*config.Host{
			"web_1": host("web_1", "acme", "web"),
			"web_2": host("web_2", "acme", "db"),
		},
		Groups: map[string]*config.Group{
			"web": {Name: "web", Match: map[string]string{"role": "web"}},
			"db":  {Name: "db", Match: map[string]string{"role": "db"}},
		},
	}
}

func userKey(t *testing.T) (nkeys.KeyPair, string) {
	t.Helper()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return kp, pub
}

// violations collects the permission violations the server reports to a
// connection (asynchronously, as -ERR).
type violations struct {
	mu   sync.Mutex
	seen []string
}

func (v *violations) handler(_ *nats.Conn, _ *nats.Subscription, err error) {
	if errors.Is(err, nats.ErrPermissionViolation) || strings.Contains(err.Error(), "Permissions Violation") {
		v.mu.Lock()
		v.seen = append(v.seen, err.Error())
		v.mu.Unlock()
	}
}

// wait polls until a violation mentioning subject arrived.
func (v *violations) wait(t *testing.T, ctx context.Context, subject string) {
	t.Helper()
	for {
		v.mu.Lock()
		for _, s := range v.seen {
			if strings.Contains(s, `"`+subject+`"`) {
				v.mu.Unlock()
				return
			}
		}
		seen := append([]string(nil), v.seen...)
		v.mu.Unlock()
		select {
		case <-ctx.Done():
			t.Fatalf("no permission violation for %s; seen %q", subject, seen)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// connect dials url with auth and the agent inbox prefix of host (none for
// a controller).
func connect(t *testing.T, url, host string, v *violations, opts ...nats.Option) *nats.Conn {
	t.Helper()
	opts = append(opts, nats.Timeout(time.Minute))
	if host != "" {
		opts = append(opts, nats.CustomInboxPrefix(InboxPrefix(host)))
	}
	if v != nil {
		opts = append(opts, nats.ErrorHandler(v.handler))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatalf("connect as %q: %v", host, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// setupStreams creates the agent-mode streams in the controller's account
// and publishes one desired document per group (body "<client>:<group>").
func setupStreams(t *testing.T, ctx context.Context, nc *nats.Conn, client string, groups ...string) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []jetstream.StreamConfig{
		{Name: agentwire.StreamDesired, Subjects: []string{agentwire.PrefixDesired + ">"}, MaxMsgsPerSubject: 1, AllowDirect: true},
		{Name: agentwire.StreamResults, Subjects: []string{agentwire.PrefixResults + ">"}, Duplicates: time.Hour},
		{Name: agentwire.StreamScans, Subjects: []string{agentwire.PrefixScans + ">"}, Duplicates: time.Hour},
	} {
		if _, err := js.CreateStream(ctx, c); err != nil {
			t.Fatalf("%s stream %s: %v", client, c.Name, err)
		}
	}
	for _, g := range groups {
		if _, err := js.Publish(ctx, agentwire.DesiredSubject(g), []byte(client+":"+g)); err != nil {
			t.Fatalf("%s desired %s: %v", client, g, err)
		}
	}
	return js
}

// directGet reads the last desired document of group as an agent does.
func directGet(ctx context.Context, nc *nats.Conn, group string) (*nats.Msg, error) {
	return nc.RequestWithContext(ctx, agentwire.DirectGetLast(agentwire.StreamDesired, agentwire.DesiredSubject(group)), nil)
}

// checkLeastPrivilege is the acceptance scenario, the same in both modes:
// acme's agent for web_1 works on its own subjects and is refused on
// web_2's and on group db's, and sees nothing of fabrikam's account.
func checkLeastPrivilege(t *testing.T, ctx context.Context, acmeCtl, fabCtl, agent *nats.Conn, v *violations) {
	t.Helper()
	acme := setupStreams(t, ctx, acmeCtl, "acme", "web", "db")
	setupStreams(t, ctx, fabCtl, "fabrikam", "web")
	fabResults, err := fabCtl.SubscribeSync(agentwire.PrefixResults + ">")
	if err != nil {
		t.Fatal(err)
	}
	if err := fabCtl.Flush(); err != nil {
		t.Fatal(err)
	}

	// Its own publishes are stored and acknowledged.
	ajs, err := jetstream.New(agent)
	if err != nil {
		t.Fatal(err)
	}
	for _, subj := range []string{agentwire.ResultsSubject("web_1"), agentwire.ScansSubject("web_1")} {
		if _, err := ajs.Publish(ctx, subj, []byte(`{"host":"web_1"}`), jetstream.WithMsgID("own-"+subj)); err != nil {
			t.Fatalf("own publish on %s: %v", subj, err)
		}
	}
	if err := agent.Publish(agentwire.HelloSubject("web_1"), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	// Its group's desired state, from its own account.
	m, err := directGet(ctx, agent, "web")
	if err != nil {
		t.Fatalf("direct get of its group: %v", err)
	}
	if string(m.Data) != "acme:web" {
		t.Fatalf("direct get of web = %q (headers %v), want acme:web", m.Data, m.Header)
	}
	// Its command subject and its group's pushes.
	if _, err := agent.SubscribeSync(agentwire.CommandSubject("web_1")); err != nil {
		t.Fatal(err)
	}
	push, err := agent.SubscribeSync(agentwire.DesiredSubject("web"))
	if err != nil {
		t.Fatal(err)
	}
	if err := agent.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := acme.Publish(ctx, agentwire.DesiredSubject("web"), []byte("acme:web:2")); err != nil {
		t.Fatal(err)
	}
	if m, err := push.NextMsgWithContext(ctx); err != nil || string(m.Data) != "acme:web:2" {
		t.Fatalf("desired push: %v %v", m, err)
	}

	// A forged report and scan for web_2 are refused...
	for _, subj := range []string{agentwire.ResultsSubject("web_2"), agentwire.ScansSubject("web_2"), agentwire.HelloSubject("web_2")} {
		if err := agent.PublishMsg(&nats.Msg{Subject: subj, Data: []byte(`{"host":"web_2","outcome":"applied"}`)}); err != nil {
			t.Fatal(err)
		}
		v.wait(t, ctx, subj)
	}
	// ...and nothing reached the streams: the flush round trip after the
	// violations orders them before this check.
	if err := agent.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ stream, subject string }{
		{agentwire.StreamResults, agentwire.ResultsSubject("web_2")},
		{agentwire.StreamScans, agentwire.ScansSubject("web_2")},
	} {
		st, err := acme.Stream(ctx, c.stream)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetLastMsgForSubject(ctx, c.subject); !errors.Is(err, jetstream.ErrMsgNotFound) {
			t.Errorf("%s holds a message on %s (err %v): the forged publish got through", c.stream, c.subject, err)
		}
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs != 1 {
			t.Errorf("%s holds %d messages, want web_1's one", c.stream, info.State.Msgs)
		}
	}

	// Another group's desired state: no direct get, no subscription.
	if err := agent.PublishRequest(agentwire.DirectGetLast(agentwire.StreamDesired, agentwire.DesiredSubject("db")), InboxPrefix("web_1")+".x", nil); err != nil {
		t.Fatal(err)
	}
	v.wait(t, ctx, agentwire.DirectGetLast(agentwire.StreamDesired, agentwire.DesiredSubject("db")))
	for _, subj := range []string{agentwire.DesiredSubject("db"), agentwire.CommandSubject("web_2"), agentwire.ResultsSubject("web_2"), "_INBOX.>", InboxPrefix("web_2") + ".>"} {
		if _, err := agent.SubscribeSync(subj); err != nil {
			t.Fatal(err)
		}
		v.wait(t, ctx, subj)
	}
	// The JetStream API beyond direct gets is closed: no stream info, no
	// consumers.
	if err := agent.PublishRequest("$JS.API.STREAM.INFO."+agentwire.StreamDesired, InboxPrefix("web_1")+".y", nil); err != nil {
		t.Fatal(err)
	}
	v.wait(t, ctx, "$JS.API.STREAM.INFO."+agentwire.StreamDesired)

	// The other client's account saw none of acme's traffic.
	if err := fabCtl.Flush(); err != nil {
		t.Fatal(err)
	}
	if m, err := fabResults.NextMsg(0); err == nil {
		t.Fatalf("fabrikam's controller got %s from acme's agent", m.Subject)
	}
}

// checkDefaultInboxRefused shows why agents set CustomInboxPrefix: with the
// default _INBOX prefix a JetStream publish gets no ack.
func checkDefaultInboxRefused(t *testing.T, ctx context.Context, nc *nats.Conn, v *violations) {
	t.Helper()
	if _, err := nc.SubscribeSync("_INBOX.>"); err != nil {
		t.Fatal(err)
	}
	v.wait(t, ctx, "_INBOX.>")
}
