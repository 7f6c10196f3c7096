package fleetauth

import (
	"bytes"
	"fmt"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
	"github.com/tend-sh/tend/core/config"
)

// Issue is an agent user JWT signed for one host.
type Issue struct {
	Host   string
	Client string
	Groups []string
	JWT    string
}

// IssueAgent signs the user JWT of host's agent (public key userKey, from
// tend agent enroll) with the account seed of the host's client
// (accountSeed, an nsc .nk file's content). client, when set, must be the
// host's client: a seed of one client's account never signs another's host.
func IssueAgent(cfg *config.Config, host, client, userKey string, accountSeed []byte, ttl time.Duration) (*Issue, error) {
	h := cfg.Hosts[host]
	if h == nil {
		return nil, fmt.Errorf("no host %q in the configuration: declare it in a host block or hosts file first", host)
	}
	hc := h.Labels[ClientLabel]
	if hc == "" {
		hc = DefaultClient
	}
	if client != "" && client != hc {
		return nil, fmt.Errorf("%s:%d: host %s belongs to client %q (label %q), not %q", h.DeclRange.Filename, h.DeclRange.Start.Line, host, hc, ClientLabel, client)
	}
	kp, err := nkeys.FromSeed(bytes.TrimSpace(accountSeed))
	if err != nil {
		return nil, fmt.Errorf("account seed: %w", err)
	}
	defer kp.Wipe()
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, err
	}
	if !nkeys.IsValidPublicAccountKey(pub) {
		return nil, fmt.Errorf("account seed: the key is not an account key (its public key starts %q, want A…)", pub[:1])
	}
	groups := HostGroups(cfg, h)
	acc := &Account{Name: hc, Key: kp}
	tok, err := acc.AgentJWT(host, groups, userKey, ttl)
	if err != nil {
		return nil, err
	}
	return &Issue{Host: host, Client: hc, Groups: groups, JWT: tok}, nil
}

// HostCreds joins an issued user JWT and the host's seed (the content of
// the seed file tend agent enroll wrote) into a .creds file, refusing a
// JWT issued for another key.
func HostCreds(userJWT string, seed []byte) ([]byte, error) {
	claims, err := jwt.DecodeUserClaims(userJWT)
	if err != nil {
		return nil, fmt.Errorf("user JWT: %w", err)
	}
	kp, err := nkeys.FromSeed(bytes.TrimSpace(seed))
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	defer kp.Wipe()
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, err
	}
	if pub != claims.Subject {
		return nil, fmt.Errorf("the JWT was issued for key %s, not this host's key %s", claims.Subject, pub)
	}
	return Creds(userJWT, bytes.TrimSpace(seed))
}
