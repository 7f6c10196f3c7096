package fleetauth

import (
	"fmt"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

// Operator is an operator key pair and its self-signed JWT: the root of
// trust of operator (JWT) mode, as `nsc add operator` makes it.
type Operator struct {
	Key nkeys.KeyPair
	JWT string
}

// NewOperator creates an operator named name with a new key.
func NewOperator(name string) (*Operator, error) {
	kp, err := nkeys.CreateOperator()
	if err != nil {
		return nil, err
	}
	return OperatorFromKey(name, kp)
}

// OperatorFromKey makes the JWT of operator name over an existing key.
func OperatorFromKey(name string, kp nkeys.KeyPair) (*Operator, error) {
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, err
	}
	c := jwt.NewOperatorClaims(pub)
	c.Name = name
	tok, err := c.Encode(kp)
	if err != nil {
		return nil, fmt.Errorf("operator %s: %w", name, err)
	}
	return &Operator{Key: kp, JWT: tok}, nil
}

// Account is one signed NATS account: its key pair and JWT.
type Account struct {
	Name string
	Key  nkeys.KeyPair
	JWT  string
}

// PublicKey is the account's public key (A…), the resolver's lookup key.
func (a *Account) PublicKey() string {
	pub, _ := a.Key.PublicKey()
	return pub
}

// Account signs a new account for client, with JetStream enabled without
// limits (set limits on the account with nsc for a hosted service).
func (o *Operator) Account(client string) (*Account, error) {
	kp, err := nkeys.CreateAccount()
	if err != nil {
		return nil, err
	}
	return o.accountWithKey(client, kp, true)
}

// SystemAccount signs the system account the server needs in operator mode.
func (o *Operator) SystemAccount() (*Account, error) {
	kp, err := nkeys.CreateAccount()
	if err != nil {
		return nil, err
	}
	return o.accountWithKey("SYS", kp, false)
}

func (o *Operator) accountWithKey(name string, kp nkeys.KeyPair, jetstream bool) (*Account, error) {
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, err
	}
	c := jwt.NewAccountClaims(pub)
	c.Name = name
	if jetstream {
		c.Limits.JetStreamLimits = jwt.JetStreamLimits{MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1}
	}
	tok, err := c.Encode(o.Key)
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", name, err)
	}
	return &Account{Name: name, Key: kp, JWT: tok}, nil
}

// UserJWT signs a user JWT for the public user key userKey (from tend
// agent enroll: the seed stays on the host) with permissions p. A zero
// ttl never expires.
func (a *Account) UserJWT(name, userKey string, p Permissions, ttl time.Duration) (string, error) {
	if !nkeys.IsValidPublicUserKey(userKey) {
		return "", fmt.Errorf("user %s: %w", name, notUserKey(userKey))
	}
	c := jwt.NewUserClaims(userKey)
	c.Name = name
	c.Permissions = p.JWT()
	if ttl > 0 {
		c.Expires = time.Now().Add(ttl).Unix()
	}
	tok, err := c.Encode(a.Key)
	if err != nil {
		return "", fmt.Errorf("user %s: %w", name, err)
	}
	return tok, nil
}

// AgentJWT signs the user JWT of host's agent in groups.
func (a *Account) AgentJWT(host string, groups []string, userKey string, ttl time.Duration) (string, error) {
	p, err := Agent(host, groups)
	if err != nil {
		return "", err
	}
	return a.UserJWT(host, userKey, p, ttl)
}

// Creds formats a user JWT and the user's seed as a .creds file
// (jwt.FormatUserConfig), which nats.UserCredentials reads. Write it with
// mode 0600 (WriteSecret): it holds the seed.
func Creds(userJWT string, seed []byte) ([]byte, error) {
	return jwt.FormatUserConfig(userJWT, seed)
}
