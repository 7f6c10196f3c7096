package fleetauth

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
)

// StaticConfig renders tenants as a nats-server configuration fragment (an
// accounts block; JSON is valid server configuration): one account per
// client with JetStream enabled, its controller and agents as nkey users
// with the permissions of Controller and Agent.
func StaticConfig(tenants []Tenant) (string, error) {
	type perm struct {
		Allow []string `json:"allow"`
	}
	type perms struct {
		Publish   perm `json:"publish"`
		Subscribe perm `json:"subscribe"`
	}
	type user struct {
		NKey        string `json:"nkey"`
		Permissions perms  `json:"permissions"`
	}
	type account struct {
		JetStream string `json:"jetstream"`
		Users     []user `json:"users"`
	}
	conv := func(key string, p Permissions) user {
		return user{NKey: key, Permissions: perms{Publish: perm{p.Publish}, Subscribe: perm{p.Subscribe}}}
	}
	accounts := map[string]account{}
	for _, t := range tenants {
		if _, dup := accounts[t.Client]; dup {
			return "", fmt.Errorf("client %s: two tenants", t.Client)
		}
		a := account{JetStream: "enabled", Users: []user{}}
		if t.Controller != "" {
			a.Users = append(a.Users, conv(t.Controller, Controller()))
		}
		for _, ag := range t.Agents {
			p, err := Agent(ag.Host, ag.Groups)
			if err != nil {
				return "", err
			}
			a.Users = append(a.Users, conv(ag.NKey, p))
		}
		accounts[t.Client] = a
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // '>' is a wildcard, not markup
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"accounts": accounts}); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Configure adds tenants' accounts and users to o, as StaticConfig
// renders them (embedded servers; o's other options are kept).
func Configure(o *server.Options, tenants []Tenant) error {
	cfg, err := StaticConfig(tenants)
	if err != nil {
		return err
	}
	if err := o.ProcessConfigString(cfg); err != nil {
		return fmt.Errorf("nats accounts: %w", err)
	}
	return nil
}
