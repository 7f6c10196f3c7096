package fleet

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nkeys"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/agentwire/natstest"
	"github.com/tend-sh/tend/core/fleetauth"
	"github.com/tend-sh/tend/core/model"
)

func hosts[T any](list []T, host func(T) string) []string {
	out := []string{}
	for _, x := range list {
		out = append(out, host(x))
	}
	return out
}

func unmanagedHosts(p *model.AgentPresence) []string {
	return hosts(p.Unmanaged, func(u model.UnmanagedAgent) string { return u.Host })
}

func staleHosts(p *model.AgentPresence) []string {
	return hosts(p.Stale, func(s model.StaleAgent) string { return s.Host })
}

// TestPresenceSurvivesRestart: real hellos over NATS make an undeclared
// agent unmanaged (with what its hello said), an enrolled key for an
// undeclared host too; the presence file keeps them, and the declared
// hosts' last hellos, across a controller restart, so a host silent since
// before the restart goes stale and an unmanaged one stays reported.
func TestPresenceSurvivesRestart(t *testing.T) {
	s := natstest.Start(t, nil)
	state := t.TempDir()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kp.PublicKey()
	if err := fleetauth.Enroll(EnrolledPath(state), "kiosk", pub); err != nil {
		t.Fatal(err)
	}
	o := Options{StaleAfter: time.Hour, PresenceFile: PresencePath(state), EnrolledDir: EnrolledPath(state)}
	c := connect(t, s, o)
	cfg := agentConfig(t, []string{"a1"}, "")
	if _, err := c.PublishDesired(context.Background(), cfg, "c1"); err != nil {
		t.Fatal(err)
	}
	nc, _ := rawConn(t, s)
	hellos := map[string]agentwire.Hello{
		"a1": {Version: agentwire.Version, Host: "a1", AgentVersion: "0.9.0", Groups: []string{"x"}, At: time.Now().UTC()},
		"stray": {Version: agentwire.Version, Host: "stray", AgentVersion: "0.9.0", Groups: []string{"web"}, At: time.Now().UTC(),
			Labels: map[string]string{"client": "acme"}, Facts: map[string]string{"os": "debian", "release": "12"}},
	}
	for h, hello := range hellos {
		data, _ := json.Marshal(hello)
		if err := nc.Publish(agentwire.HelloSubject(h), data); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the hellos", func() bool { _, ok := c.Hello("stray"); _, ok2 := c.Hello("a1"); return ok && ok2 })
	now := time.Now()
	p, err := c.Presence(now)
	if err != nil {
		t.Fatal(err)
	}
	if got := unmanagedHosts(p); !slices.Equal(got, []string{"kiosk", "stray"}) {
		t.Fatalf("unmanaged = %v", got)
	}
	k, st := p.Unmanaged[0], p.Unmanaged[1]
	if !k.Enrolled || k.LastSeen != nil || st.Enrolled || st.Client != "acme" || st.Facts["os"] != "debian" || st.AgentVersion != "0.9.0" ||
		st.FirstSeen == nil || st.LastSeen == nil || !slices.Equal(st.Groups, []string{"web"}) {
		t.Errorf("unmanaged: %+v, %+v", k, st)
	}
	if len(p.Stale) != 0 || p.StaleAfter != "1h" {
		t.Errorf("stale now = %v (after %s)", staleHosts(p), p.StaleAfter)
	}
	if _, ok := p.LastSeen["a1"]; !ok {
		t.Errorf("last seen = %v", p.LastSeen)
	}
	c.Close()

	// A new controller, before any configuration is published again.
	c2 := connect(t, s, o)
	p2, err := c2.Presence(now.Add(2 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := unmanagedHosts(p2); !slices.Equal(got, []string{"kiosk", "stray"}) {
		t.Errorf("unmanaged after the restart = %v", got)
	}
	if got := staleHosts(p2); !slices.Equal(got, []string{"a1", "loner"}) {
		t.Errorf("stale in 2h after the restart = %v", got)
	}
	for _, s := range p2.Stale {
		if (s.Host == "a1") != (s.LastSeen != nil) {
			t.Errorf("stale %s last seen %v", s.Host, s.LastSeen)
		}
	}
	// Declaring the stray host makes it managed.
	cfg2 := agentConfig(t, []string{"a1", "stray"}, "")
	if _, err := c2.PublishDesired(context.Background(), cfg2, "c2"); err != nil {
		t.Fatal(err)
	}
	p3, err := c2.Presence(now)
	if err != nil {
		t.Fatal(err)
	}
	if got := unmanagedHosts(p3); !slices.Equal(got, []string{"kiosk"}) {
		t.Errorf("unmanaged once stray is declared = %v", got)
	}
	f, err := ReadPresence(PresencePath(state))
	if err != nil || !f.Published || len(f.Hosts) != 3 {
		t.Errorf("presence file: %+v, %v", f, err)
	}
	if _, err := os.Stat(filepath.Join(state, "agents", "presence.json")); err != nil {
		t.Error(err)
	}
}

func TestCompactDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{3 * time.Hour: "3h", 90 * time.Minute: "1h30m", time.Minute: "1m",
		90 * time.Second: "1m30s", 30 * time.Second: "30s", 24 * time.Hour: "24h"} {
		if got := compactDuration(d); got != want {
			t.Errorf("compactDuration(%v) = %q, want %q", d, got, want)
		}
		if back, err := time.ParseDuration(compactDuration(d)); err != nil || back != d {
			t.Errorf("%q does not parse back to %v: %v, %v", compactDuration(d), d, back, err)
		}
	}
}

// TestPresenceFileUnreadable: a presence file that does not parse does
// not keep the controller from starting; it is replaced by the next save.
func TestPresenceFileUnreadable(t *testing.T) {
	s := natstest.Start(t, nil)
	path := filepath.Join(t.TempDir(), "presence.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := connect(t, s, Options{PresenceFile: path})
	if _, err := c.PublishDesired(context.Background(), agentConfig(t, []string{"a1"}, ""), "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Presence(time.Now()); err != nil {
		t.Fatal(err)
	}
	if f, err := ReadPresence(path); err != nil || !f.Published {
		t.Errorf("presence file after a save: %+v, %v", f, err)
	}
}

// TestForgetAfter: an undeclared agent last heard from longer than
// ForgetAfter ago is no longer reported; a recent one and a declared one
// are.
func TestForgetAfter(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	old, recent := now.Add(-ForgetAfter-time.Hour), now.Add(-time.Hour)
	hello := &agentwire.Hello{Version: agentwire.Version}
	f := &PresenceFile{FormatVersion: PresenceFormatVersion, Published: true, Hosts: []PresenceHost{
		{Host: "gone", LastSeen: &old, FirstSeen: &old, Hello: hello},
		{Host: "stray", LastSeen: &recent, FirstSeen: &recent, Hello: hello},
		{Host: "web_1", Declared: true, Agent: true, LastSeen: &old, Hello: hello},
	}}
	p := f.Report(now, 3*time.Hour, map[string]string{"gone_key": "U…"})
	if got := unmanagedHosts(&p); !slices.Equal(got, []string{"gone_key", "stray"}) {
		t.Errorf("unmanaged = %v", got)
	}
	if got := staleHosts(&p); !slices.Equal(got, []string{"web_1"}) {
		t.Errorf("stale = %v", got)
	}
}
