package fleetauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/tend-sh/tend/core/agentwire/natstest"
)

// testCA makes a CA and a server certificate for 127.0.0.1 signed by it;
// it returns the server's certificate and the CA's PEM file.
func testCA(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tend test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "nats"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: nil}, caFile
}

func withTLS(cert tls.Certificate) func(*server.Options) {
	return func(o *server.Options) {
		o.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		o.TLS = true
		o.TLSTimeout = 60 // seconds: a loaded CI machine is slow
	}
}

// TestStaticLeastPrivilege runs the acceptance scenario against accounts
// and nkey users from Configure, over TLS with a test CA: enrolled keys in
// a directory, tenants from the configuration's hosts.
func TestStaticLeastPrivilege(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	agentKP, agentPub := userKey(t)
	_, web2Pub := userKey(t)
	acmeKP, acmePub := userKey(t)
	fabKP, fabPub := userKey(t)
	dir := t.TempDir()
	for host, key := range map[string]string{"web_1": agentPub, "web_2": web2Pub, "undeclared": agentPub} {
		if err := Enroll(dir, host, key); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "web_1.pub")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("enrolled key file: %v %v", fi.Mode(), err)
	}
	enrolled, err := LoadEnrolled(dir)
	if err != nil {
		t.Fatal(err)
	}
	tenants, err := Tenants(fleet(), enrolled, map[string]string{"acme": acmePub, "fabrikam": fabPub})
	if err != nil {
		t.Fatal(err)
	}
	if len(tenants) != 2 || len(tenants[0].Agents) != 2 || tenants[0].Agents[0].Host != "web_1" || tenants[0].Agents[0].Groups[0] != "web" {
		t.Fatalf("tenants = %+v", tenants)
	}
	cert, caFile := testCA(t)
	s := natstest.Start(t, func(o *server.Options) {
		if err := Configure(o, tenants); err != nil {
			t.Fatal(err)
		}
		withTLS(cert)(o)
	})
	url := strings.Replace(s.URL(), "nats://", "tls://", 1)
	ca := nats.RootCAs(caFile)
	v := &violations{}
	agent := connect(t, url, "web_1", v, ca, nats.Nkey(agentPub, agentKP.Sign))
	acme := connect(t, url, "", nil, ca, nats.Nkey(acmePub, acmeKP.Sign))
	fab := connect(t, url, "", nil, ca, nats.Nkey(fabPub, fabKP.Sign))
	checkLeastPrivilege(t, ctx, acme, fab, agent, v)

	// Without the CA the server's certificate is refused; without TLS, too.
	if nc, err := nats.Connect(url, nats.Nkey(agentPub, agentKP.Sign), nats.Timeout(time.Minute)); err == nil {
		nc.Close()
		t.Fatal("connected without trusting the test CA")
	}
	// An unknown key is refused.
	strangerKP, strangerPub := userKey(t)
	if nc, err := nats.Connect(url, ca, nats.Nkey(strangerPub, strangerKP.Sign), nats.Timeout(time.Minute)); err == nil {
		nc.Close()
		t.Fatal("an unenrolled key connected")
	}
}

// TestStaticConfig pins the rendered server configuration of one agent.
func TestStaticConfig(t *testing.T) {
	cfg, err := StaticConfig([]Tenant{{Client: "acme", Agents: []AgentUser{{Host: "web_1", Groups: []string{"web"}, NKey: "UKEY"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"jetstream": "enabled"`, `"tend.results.web_1"`, `"$JS.API.DIRECT.GET.TEND_DESIRED.tend.desired.web"`, `"_INBOX_web_1.>"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %s:\n%s", want, cfg)
		}
	}
	if _, err := StaticConfig([]Tenant{{Client: "acme", Agents: []AgentUser{{Host: "a.b", NKey: "U"}}}}); err == nil {
		t.Error("host a.b accepted")
	}
}

// TestAgentInDomain checks the direct-get subject of an agent behind a
// leaf node carries the hub's domain.
func TestAgentInDomain(t *testing.T) {
	p, err := AgentInDomain("web_1", []string{"web"}, "hub")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Publish[3], "$JS.hub.API.DIRECT.GET.TEND_DESIRED.tend.desired.web"; got != want {
		t.Errorf("direct get = %q, want %q", got, want)
	}
	if _, err := AgentInDomain("web_1", nil, "a.b"); err == nil {
		t.Error("domain a.b accepted")
	}
}
