package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/agent"
	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/fleet"
	"github.com/tend-sh/tend/core/fleetauth"
)

// TestServeEmbeddedAccounts: tend serve with its embedded NATS server and
// one agent host of client acme. The server refuses unauthenticated
// connections and unknown keys; the host's agent, enrolled and started
// before its key was accepted, is refused until tend agent accept records
// the key, then admitted after the reload without a restart, and patched
// end to end. A result it forges for another host is refused and never
// reaches the controller's stream.
func TestServeEmbeddedAccounts(t *testing.T) {
	bin, conf, root := acmeAgentLab(t)
	bare := publishConfig(t, conf, "one agent host")

	listen := freeListen(t)
	url := "nats://" + listen
	state := t.TempDir()
	serve := exec.Command(bin, "serve", "--repo", "file://"+bare, "--state-dir", state, "--interval", "2s", "--report-interval", "0",
		"--nats-listen", listen, "--agent-timeout", "3m", "--log-level", "debug")
	serveLog := startServe(t, serve)
	eventually(t, "the embedded NATS server started", func() bool {
		return strings.Contains(serveLog.String(), "started the embedded NATS server")
	}, serveLog.String)
	seed := filepath.Join(state, controllerSeedFile)
	if fi, err := os.Stat(seed); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("controller seed %s: %v %v", seed, fi, err)
	}

	// No key, an unknown key: refused.
	if nc, err := nats.Connect(url, nats.Timeout(time.Minute)); err == nil {
		nc.Close()
		t.Fatal("an unauthenticated connection was accepted")
	}
	stranger, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := connectKey(url, stranger, "", nil); err == nil {
		t.Fatal("an unknown nkey was accepted")
	}

	// The host enrols and starts its agent before the operator accepted it.
	agentState := t.TempDir()
	out, err := exec.Command(bin, "agent", "enroll", "--state-dir", agentState).Output()
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	pub := strings.TrimSpace(string(out))
	a := startAgent(t, bin, url, fleet.Ungrouped, agentState)
	diag := func() string { return a.logs() + "--- tend serve log:\n" + serveLog.String() }
	eventually(t, "the agent refused before its key is accepted", func() bool {
		return strings.Contains(strings.ToLower(a.out.String()), "authorization violation")
	}, diag)
	if got := root.Installed(t)["openssl"]; got != "3.0.20-1" {
		t.Fatalf("openssl %s before the agent was accepted", got)
	}

	// The operator accepts the key: serve reloads its accounts, the agent
	// connects, scans, and is patched.
	if code, out, errOut := tend(t, "agent", "accept", "lab", pub, "--state-dir", state); code != 0 {
		t.Fatalf("accept: %d %s%s", code, out, errOut)
	}
	eventually(t, "the accounts reloaded", func() bool {
		return strings.Contains(serveLog.String(), "reloaded the embedded NATS server's accounts")
	}, diag)
	eventually(t, "lab patched through its agent", func() bool { return root.Installed(t)["openssl"] == "3.0.20-2" }, diag)
	if got := root.Installed(t)["tzdata"]; got != "2025a-1" {
		t.Errorf("tzdata %s, want it left at 2025a-1", got)
	}
	eventually(t, "lab compliant on the reports branch", func() bool {
		out, err := exec.Command("git", "-C", bare, "show", "tend/reports:hosts/lab/report.json").Output()
		return err == nil && strings.Contains(string(out), `"state": "compliant"`)
	}, diag)

	// With the agent's own key, a result and a scan for another host are
	// refused by the server and never stored.
	seedBytes, err := os.ReadFile(filepath.Join(agentState, agent.SeedFile))
	if err != nil {
		t.Fatal(err)
	}
	kp, err := nkeys.FromSeed([]byte(strings.TrimSpace(string(seedBytes))))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var violations []string
	forger, err := connectKey(url, kp, "lab", func(_ *nats.Conn, _ *nats.Subscription, err error) {
		mu.Lock()
		violations = append(violations, err.Error())
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("the agent's key: %v", err)
	}
	defer forger.Close()
	forged := []string{agentwire.ResultsSubject("web9"), agentwire.ScansSubject("web9")}
	for _, subj := range forged {
		if err := forger.Publish(subj, []byte(`{"version":"1","host":"web9"}`)); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "permission violations for the forged subjects", func() bool {
		mu.Lock()
		defer mu.Unlock()
		all := strings.Join(violations, "\n")
		return strings.Contains(all, `"`+forged[0]+`"`) && strings.Contains(all, `"`+forged[1]+`"`)
	}, func() string { mu.Lock(); defer mu.Unlock(); return strings.Join(violations, "\n") })
	if err := forger.Flush(); err != nil {
		t.Fatal(err)
	}
	ctlKP, err := nkeys.FromSeed(readTrim(t, seed))
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := connectKey(url, ctlKP, "", nil)
	if err != nil {
		t.Fatalf("the controller's key: %v", err)
	}
	defer ctl.Close()
	js, err := jetstream.New(ctl)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	for _, c := range []struct{ stream, subject string }{
		{agentwire.StreamResults, forged[0]}, {agentwire.StreamScans, forged[1]},
		{agentwire.StreamResults, agentwire.ResultsSubject("lab")},
	} {
		st, err := js.Stream(ctx, c.stream)
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.GetLastMsgForSubject(ctx, c.subject)
		if c.subject == forged[0] || c.subject == forged[1] {
			if !errors.Is(err, jetstream.ErrMsgNotFound) {
				t.Errorf("%s holds a message on %s (%v): the forged publish got through", c.stream, c.subject, err)
			}
		} else if err != nil {
			t.Errorf("%s has no result of lab: %v", c.stream, err)
		}
	}
}

// connectKey connects to url as the nkey user kp, with host's agent inbox
// prefix when host is set.
func connectKey(url string, kp nkeys.KeyPair, host string, errs nats.ErrHandler) (*nats.Conn, error) {
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, err
	}
	opts := []nats.Option{nats.Nkey(pub, kp.Sign), nats.Timeout(time.Minute)}
	if host != "" {
		opts = append(opts, nats.CustomInboxPrefix(fleetauth.InboxPrefix(host)))
	}
	if errs != nil {
		opts = append(opts, nats.ErrorHandler(errs))
	}
	return nats.Connect(url, opts...)
}

func readTrim(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.TrimSpace(string(b)))
}

// freeListen is a free 127.0.0.1 host:port.
func freeListen(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprintf("127.0.0.1:%d", l.Addr().(*net.TCPAddr).Port)
}

// TestServeFleetHubRefusesTENDClient: a client label naming the
// controller's own account is refused with the host's file and line,
// before any server starts; an enrolled key of an undeclared host is
// reported, not admitted.
func TestServeFleetHubRefusesTENDClient(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "conf")
	if err := os.Mkdir(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(body string) *config.Config {
		t.Helper()
		if err := os.WriteFile(filepath.Join(conf, "main.tend.hcl"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, diags := config.Load(conf)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return cfg
	}
	quiet := logrus.New()
	quiet.SetOutput(io.Discard)
	sf := &serveFleet{seed: filepath.Join(dir, controllerSeedFile), enrolled: filepath.Join(dir, enrolledDir), log: quiet}
	kp, _ := nkeys.CreateUser()
	pub, _ := kp.PublicKey()
	if err := fleetauth.Enroll(sf.enrolled, "stray", pub); err != nil {
		t.Fatal(err)
	}
	_, _, err := sf.hub(write("host \"web_1\" {\n  transport = \"agent\"\n  labels    = { client = \"TEND\" }\n}\n"))
	if err == nil || !strings.Contains(err.Error(), "main.tend.hcl:1: host web_1: client \"TEND\" is the name of tend serve's own NATS account") {
		t.Fatalf("client TEND: %v", err)
	}
	h, undeclared, err := sf.hub(write("host \"web_1\" {\n  transport = \"agent\"\n  labels    = { client = \"acme\" }\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(undeclared) != 1 || undeclared[0] != "stray" || agentCount(h) != 0 {
		t.Fatalf("undeclared %v, %d agents", undeclared, agentCount(h))
	}
}
