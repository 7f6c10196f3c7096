package fleetauth

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/tend-sh/tend/core/agentwire/natstest"
)

// TestOperatorLeastPrivilege runs the acceptance scenario in operator mode:
// an operator, one account JWT per client in a memory resolver, user JWTs
// signed over enrolled public keys, .creds files as the agents read them.
func TestOperatorLeastPrivilege(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	op, err := NewOperator("tend-msp")
	if err != nil {
		t.Fatal(err)
	}
	sys, err := op.SystemAccount()
	if err != nil {
		t.Fatal(err)
	}
	acme, err := op.Account("acme")
	if err != nil {
		t.Fatal(err)
	}
	fab, err := op.Account("fabrikam")
	if err != nil {
		t.Fatal(err)
	}
	opClaims, err := jwt.DecodeOperatorClaims(op.JWT)
	if err != nil {
		t.Fatal(err)
	}
	s := natstest.Start(t, func(o *server.Options) {
		r := &server.MemAccResolver{}
		for _, a := range []*Account{sys, acme, fab} {
			if err := r.Store(a.PublicKey(), a.JWT); err != nil {
				t.Fatal(err)
			}
		}
		o.TrustedOperators = []*jwt.OperatorClaims{opClaims}
		o.AccountResolver = r
		o.SystemAccount = sys.PublicKey()
	})

	dir := t.TempDir()
	// creds writes a .creds file for a user as the host would hold it.
	creds := func(name string, a *Account, p *Permissions, host string, groups []string) string {
		kp, pub := userKey(t)
		seed, err := kp.Seed()
		if err != nil {
			t.Fatal(err)
		}
		var tok string
		if p != nil {
			tok, err = a.UserJWT(name, pub, *p, time.Hour)
		} else {
			tok, err = a.AgentJWT(host, groups, pub, time.Hour)
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := Creds(tok, seed)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name+".creds")
		if err := WriteSecret(path, b); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v %v", path, fi.Mode(), err)
		}
		return path
	}
	ctl := Controller()
	// The agent's credentials come the enrolment way: the operator signs
	// the host's public key from the configuration (IssueAgent, under tend
	// agent issue), the host joins the JWT with its seed (HostCreds).
	agentKP, agentPub := userKey(t)
	acmeSeed, err := acme.Key.Seed()
	if err != nil {
		t.Fatal(err)
	}
	is, err := IssueAgent(fleet(), "web_1", "acme", agentPub, acmeSeed, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if is.Client != "acme" || len(is.Groups) != 1 || is.Groups[0] != "web" {
		t.Fatalf("issued %+v", is)
	}
	agentSeed, err := agentKP.Seed()
	if err != nil {
		t.Fatal(err)
	}
	agentCreds, err := HostCreds(is.JWT, agentSeed)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSecret(filepath.Join(dir, "web_1.creds"), agentCreds); err != nil {
		t.Fatal(err)
	}
	v := &violations{}
	agent := connect(t, s.URL(), "web_1", v, nats.UserCredentials(filepath.Join(dir, "web_1.creds")))
	acmeCtl := connect(t, s.URL(), "", nil, nats.UserCredentials(creds("acme-controller", acme, &ctl, "", nil)))
	fabCtl := connect(t, s.URL(), "", nil, nats.UserCredentials(creds("fabrikam-controller", fab, &ctl, "", nil)))
	checkLeastPrivilege(t, ctx, acmeCtl, fabCtl, agent, v)

	// The same user on the default inbox prefix cannot get its replies.
	v2 := &violations{}
	plain, err := nats.Connect(s.URL(), nats.UserCredentials(filepath.Join(dir, "web_1.creds")), nats.ErrorHandler(v2.handler), nats.Timeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	checkDefaultInboxRefused(t, ctx, plain, v2)

	// A user signed by an account the operator never signed is refused.
	rogueOp, err := NewOperator("rogue")
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := rogueOp.Account("acme")
	if err != nil {
		t.Fatal(err)
	}
	if nc, err := nats.Connect(s.URL(), nats.UserCredentials(creds("rogue", rogue, nil, "web_1", []string{"web"})), nats.Timeout(time.Minute)); err == nil {
		nc.Close()
		t.Fatal("a user of an unknown account connected")
	}
}
