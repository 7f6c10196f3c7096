package fleetauth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/agentwire/natstest"
	"github.com/tend-sh/tend/core/config"
)

// hubFleet is fleet() plus fabrikam's fab_1 in group web: group web spans
// two clients.
func hubFleet() *config.Config {
	cfg := fleet()
	cfg.Hosts["fab_1"] = &config.Host{Name: "fab_1", Transport: "agent", Labels: map[string]string{"client": "fabrikam", "role": "web"}}
	return cfg
}

// TestHubLeastPrivilege: one controller connection in the TEND account
// holds every client's streams; acme's agent web_1 publishes results that
// are stored and acknowledged, reads its group's desired state and gets
// its commands through its account's imports, and is refused everything
// of web_2 and of fabrikam.
func TestHubLeastPrivilege(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ctlKP, ctlPub := userKey(t)
	web1KP, web1Pub := userKey(t)
	_, web2Pub := userKey(t)
	fabKP, fabPub := userKey(t)
	tenants, err := Tenants(hubFleet(), map[string]string{"web_1": web1Pub, "web_2": web2Pub, "fab_1": fabPub}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hub := Hub{Controller: ctlPub, Tenants: tenants}
	srv := natstest.Start(t, func(o *server.Options) {
		if err := hub.Configure(o); err != nil {
			t.Fatal(err)
		}
	})

	// Unauthenticated and unknown keys are refused.
	if nc, err := nats.Connect(srv.URL(), nats.Timeout(time.Minute)); err == nil {
		nc.Close()
		t.Fatal("an unauthenticated connection was accepted")
	}
	strangerKP, _ := userKey(t)
	if nc, err := nats.Connect(srv.URL(), nats.Timeout(time.Minute), nkeyOpt(t, strangerKP)); err == nil {
		nc.Close()
		t.Fatal("an unknown nkey was accepted")
	}

	ctl := connect(t, srv.URL(), "", nil, nkeyOpt(t, ctlKP))
	js := setupStreams(t, ctx, ctl, "tend", "web", "db")
	var v, fv violations
	agent := connect(t, srv.URL(), "web_1", &v, nkeyOpt(t, web1KP))
	fab := connect(t, srv.URL(), "fab_1", &fv, nkeyOpt(t, fabKP))

	// web_1's own result: stored in the controller's stream, acked.
	ajs, err := jetstream.New(agent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ajs.Publish(ctx, agentwire.ResultsSubject("web_1"), []byte(`{"host":"web_1"}`), jetstream.WithMsgID("r1")); err != nil {
		t.Fatalf("own result: %v", err)
	}
	m, err := directGet(ctx, agent, "web")
	if err != nil || string(m.Data) != "tend:web" {
		t.Fatalf("direct get of web: %v %v", m, err)
	}
	if m, err := directGet(ctx, fab, "web"); err != nil || string(m.Data) != "tend:web" {
		t.Fatalf("fabrikam's direct get of web: %v %v", m, err)
	}
	cmds, err := agent.SubscribeSync(agentwire.CommandSubject("web_1"))
	if err != nil {
		t.Fatal(err)
	}
	push, err := agent.SubscribeSync(agentwire.DesiredSubject("web"))
	if err != nil {
		t.Fatal(err)
	}
	hello, err := ctl.SubscribeSync(agentwire.PrefixHello + "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, nc := range []*nats.Conn{agent, ctl} {
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := ctl.Publish(agentwire.CommandSubject("web_1"), []byte("job")); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, agentwire.DesiredSubject("web"), []byte("tend:web:2")); err != nil {
		t.Fatal(err)
	}
	if m, err := cmds.NextMsgWithContext(ctx); err != nil || string(m.Data) != "job" {
		t.Fatalf("command: %v %v", m, err)
	}
	if m, err := push.NextMsgWithContext(ctx); err != nil || string(m.Data) != "tend:web:2" {
		t.Fatalf("desired push: %v %v", m, err)
	}
	if err := agent.Publish(agentwire.HelloSubject("web_1"), []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if m, err := hello.NextMsgWithContext(ctx); err != nil || m.Subject != agentwire.HelloSubject("web_1") {
		t.Fatalf("hello: %v %v", m, err)
	}

	// Forged results and scans for web_2 (same client) and fab_1 (another
	// client) are refused, and nothing reached the stream.
	for _, h := range []string{"web_2", "fab_1"} {
		for _, subj := range []string{agentwire.ResultsSubject(h), agentwire.ScansSubject(h)} {
			if err := agent.Publish(subj, []byte(`{"host":"`+h+`"}`)); err != nil {
				t.Fatal(err)
			}
			v.wait(t, ctx, subj)
		}
	}
	if err := agent.Flush(); err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, agentwire.StreamResults)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"web_2", "fab_1"} {
		if _, err := st.GetLastMsgForSubject(ctx, agentwire.ResultsSubject(h)); !errors.Is(err, jetstream.ErrMsgNotFound) {
			t.Errorf("the results stream holds a message for %s (%v)", h, err)
		}
	}
	// Group db is not web_1's; fab_1's commands are not acme's: their
	// subscriptions are refused.
	for _, subj := range []string{agentwire.DesiredSubject("db"), agentwire.CommandSubject("fab_1"), agentwire.CommandSubject("web_2")} {
		if _, err := agent.SubscribeSync(subj); err != nil {
			t.Fatal(err)
		}
		v.wait(t, ctx, subj)
	}
	// And fabrikam's account does not even import acme's subjects: a
	// command for web_1 reaches no one there. (fab_1's agent may not
	// subscribe there anyway; the account boundary holds on its own.)
	if err := fab.Publish(agentwire.ResultsSubject("web_1"), nil); err != nil {
		t.Fatal(err)
	}
	fv.wait(t, ctx, agentwire.ResultsSubject("web_1"))
}

// TestHubConfig checks the rendered block: the controller's exports, a
// client's imports of its own hosts' subjects only, the domain-prefixed
// direct gets, and the names refused.
func TestHubConfig(t *testing.T) {
	_, ctl := userKey(t)
	_, k := userKey(t)
	tenants, err := Tenants(hubFleet(), map[string]string{"web_1": k}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Hub{Controller: ctl, Tenants: tenants, Domain: "hub"}.Config()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"TEND"`, `"service": "tend.results.>"`, `"stream": "tend.cmd.>"`,
		`"subject": "tend.results.web_1"`, `"subject": "tend.cmd.web_1"`,
		`"to": "$JS.hub.API.DIRECT.GET.TEND_DESIRED.tend.desired.web"`,
	} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %s:\n%s", want, cfg)
		}
	}
	if strings.Contains(cfg, "web_2") {
		t.Errorf("config names web_2, which has no key:\n%s", cfg)
	}
	if _, err := (Hub{Controller: ctl, Tenants: []Tenant{{Client: ControllerAccount}}}).Config(); err == nil {
		t.Error("a client named TEND accepted")
	}
	if _, err := (Hub{Controller: "SUA"}).Config(); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Errorf("a seed as the controller key: %v", err)
	}
}

// nkeyOpt authenticates a connection with kp.
func nkeyOpt(t *testing.T, kp nkeys.KeyPair) nats.Option {
	t.Helper()
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return nats.Nkey(pub, kp.Sign)
}

// TestUserSeed: the controller's key is made once, its seed 0600, and read
// back the same; a seed that is not a user's is refused.
func TestUserSeed(t *testing.T) {
	p := filepath.Join(t.TempDir(), "agents", "controller.nk")
	pub, created, err := UserSeed(p)
	if err != nil || !created || !nkeys.IsValidPublicUserKey(pub) {
		t.Fatalf("first: %q %v %v", pub, created, err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("seed file: %v %v", fi, err)
	}
	again, created, err := UserSeed(p)
	if err != nil || created || again != pub {
		t.Fatalf("second: %q %v %v, want %q", again, created, err, pub)
	}
	acc, _ := nkeys.CreateAccount()
	seed, _ := acc.Seed()
	bad := filepath.Join(t.TempDir(), "account.nk")
	if err := os.WriteFile(bad, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := UserSeed(bad); err == nil || strings.Contains(err.Error(), string(seed)) {
		t.Errorf("an account seed: %v", err)
	}
}
