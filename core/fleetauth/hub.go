package fleetauth

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
	"github.com/tend-sh/tend/core/agentwire"
)

// ControllerAccount is the account of tend serve in hub mode (HubConfig):
// it holds the agent-mode streams of every client and the controller's
// one connection. No client may be named so.
const ControllerAccount = "TEND"

// Hub is a hub-mode server: one controller account and one account per
// client, joined by exports and imports.
type Hub struct {
	// Controller is the public nkey (U…) of tend serve's user in
	// ControllerAccount.
	Controller string
	// Tenants are the client accounts and their agents (Tenants; their
	// Controller keys are not used: the controller lives in its own
	// account).
	Tenants []Tenant
	// Domain, when set, is the hub's JetStream domain: each client account
	// also imports the domain-prefixed direct gets
	// ($JS.<domain>.API.DIRECT.GET…) its agents behind a leaf node make.
	Domain string
	// Leaves maps a client to the public nkey of the user its leaf nodes
	// connect to the hub as (their remote's seed). It has no permissions
	// of its own: what a leaf connection forwards is bound by its
	// account's imports and by the agents' permissions on the leaf node
	// (LeafConfig).
	Leaves map[string]string
	// AgentsOnLeaves leaves the agents' users out of the hub's accounts
	// (keeping their imports): agents may then connect only to the leaf
	// nodes (LeafConfig), never to the JetStream servers.
	AgentsOnLeaves bool
}

// Config renders h as a nats-server configuration fragment (an accounts
// block; JSON is valid server configuration):
//
//   - ControllerAccount has JetStream and the controller user (Controller
//     permissions); it exports, as services, the subjects agents publish
//     on (results, scans, hello) and the direct gets of TEND_DESIRED, and,
//     as streams, the desired-state and command subjects;
//   - each client account has no JetStream of its own and imports exactly
//     what its agents need: the results, scans, hello and command
//     subjects of its own hosts and the desired state of its hosts'
//     groups. Its agents are nkey users with the permissions of Agent (or
//     AgentInDomain).
//
// So one controller connection and one set of streams serve every client,
// while a client account sees nothing of another's hosts: not even a user
// with every permission in it could read another client's commands or
// publish another client's results.
func (h Hub) Config() (string, error) {
	if h.Controller == "" {
		return "", fmt.Errorf("hub: no controller key")
	}
	if err := validKey(h.Controller); err != nil {
		return "", fmt.Errorf("controller: %w", err)
	}
	if h.Domain != "" {
		if err := agentwire.ValidToken(h.Domain); err != nil {
			return "", fmt.Errorf("JetStream domain: %w", err)
		}
	}
	type svc struct {
		Account string `json:"account"`
		Subject string `json:"subject"`
	}
	type imp struct {
		Service *svc   `json:"service,omitempty"`
		Stream  *svc   `json:"stream,omitempty"`
		To      string `json:"to,omitempty"`
	}
	type exp struct {
		Service string `json:"service,omitempty"`
		Stream  string `json:"stream,omitempty"`
	}
	type account struct {
		JetStream string `json:"jetstream,omitempty"`
		Users     []user `json:"users"`
		Exports   []exp  `json:"exports,omitempty"`
		Imports   []imp  `json:"imports,omitempty"`
	}
	directGets := agentwire.DirectGetLast(agentwire.StreamDesired, agentwire.PrefixDesired+">")
	accounts := map[string]account{
		ControllerAccount: {JetStream: "enabled", Users: []user{nkeyUser(h.Controller, Controller())},
			Exports: []exp{
				{Service: agentwire.PrefixResults + ">"}, {Service: agentwire.PrefixScans + ">"},
				{Service: agentwire.PrefixHello + ">"}, {Service: directGets},
				{Stream: agentwire.PrefixDesired + ">"}, {Stream: agentwire.PrefixCommand + ">"},
			}},
	}
	service := func(subject, to string) imp {
		return imp{Service: &svc{ControllerAccount, subject}, To: to}
	}
	stream := func(subject string) imp { return imp{Stream: &svc{ControllerAccount, subject}} }
	for _, t := range h.Tenants {
		if t.Client == ControllerAccount {
			return "", fmt.Errorf("client %s: the name of the controller's account", t.Client)
		}
		if _, dup := accounts[t.Client]; dup {
			return "", fmt.Errorf("client %s: two tenants", t.Client)
		}
		a := account{Users: []user{}}
		if k := h.Leaves[t.Client]; k != "" {
			if err := validKey(k); err != nil {
				return "", fmt.Errorf("leaf node user of client %s: %w", t.Client, err)
			}
			a.Users = append(a.Users, user{NKey: k})
		}
		groups := map[string]bool{}
		for _, ag := range t.Agents {
			p, err := AgentInDomain(ag.Host, ag.Groups, h.Domain)
			if err != nil {
				return "", err
			}
			if !h.AgentsOnLeaves {
				a.Users = append(a.Users, nkeyUser(ag.NKey, p))
			}
			a.Imports = append(a.Imports,
				service(agentwire.ResultsSubject(ag.Host), ""), service(agentwire.ScansSubject(ag.Host), ""),
				service(agentwire.HelloSubject(ag.Host), ""), stream(agentwire.CommandSubject(ag.Host)))
			for _, g := range ag.Groups {
				if groups[g] {
					continue
				}
				groups[g] = true
				get := agentwire.DirectGetLast(agentwire.StreamDesired, agentwire.DesiredSubject(g))
				a.Imports = append(a.Imports, stream(agentwire.DesiredSubject(g)), service(get, ""))
				if h.Domain != "" {
					a.Imports = append(a.Imports, service(get, domainAPI(get, h.Domain)))
				}
			}
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

// LeafConfig renders the accounts block of a leaf node between agents and
// h: one account per client (bind each to the hub's account of the same
// name with a remote, as Leaves' user), its agents as nkey users with the
// permissions of AgentInDomain(h.Domain). A leaf node needs no JetStream.
func (h Hub) LeafConfig() (string, error) {
	accounts := map[string]map[string][]user{}
	for _, t := range h.Tenants {
		us := []user{}
		for _, ag := range t.Agents {
			p, err := AgentInDomain(ag.Host, ag.Groups, h.Domain)
			if err != nil {
				return "", err
			}
			us = append(us, nkeyUser(ag.NKey, p))
		}
		accounts[t.Client] = map[string][]user{"users": us}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"accounts": accounts}); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Configure adds h's accounts and users to o (embedded servers; o's other
// options are kept).
func (h Hub) Configure(o *server.Options) error {
	cfg, err := h.Config()
	if err != nil {
		return err
	}
	if err := o.ProcessConfigString(cfg); err != nil {
		return fmt.Errorf("nats accounts: %w", err)
	}
	return nil
}

// domainAPI rewrites a $JS.API… subject into domain's $JS.<domain>.API….
func domainAPI(subject, domain string) string {
	return "$JS." + domain + ".API." + strings.TrimPrefix(subject, "$JS.API.")
}

type subjects struct {
	Allow []string `json:"allow"`
}

type userPermissions struct {
	Publish   subjects `json:"publish"`
	Subscribe subjects `json:"subscribe"`
}

// user is an nkey user of a rendered accounts block.
type user struct {
	NKey        string           `json:"nkey"`
	Permissions *userPermissions `json:"permissions,omitempty"`
}

func nkeyUser(key string, p Permissions) user {
	return user{NKey: key, Permissions: &userPermissions{Publish: subjects{p.Publish}, Subscribe: subjects{p.Subscribe}}}
}

func validKey(key string) error {
	if !nkeys.IsValidPublicUserKey(key) {
		return notUserKey(key)
	}
	return nil
}
