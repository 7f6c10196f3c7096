package fleetauth

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/tend-sh/tend/core/agentwire"
)

// Permissions are one NATS user's allowed publish and subscribe subjects;
// everything else is denied.
type Permissions struct {
	Publish   []string
	Subscribe []string
}

// InboxPrefix is the inbox prefix an agent for host must set
// (nats.CustomInboxPrefix): the replies to its JetStream publishes and
// direct gets arrive below it, and its user may subscribe there only.
func InboxPrefix(host string) string { return "_INBOX_" + host }

// Agent returns the permissions of host's agent in groups: publish its own
// results, scans and hello and the direct gets of its groups' desired
// state; subscribe its command subject, its groups' desired subjects and
// its own inbox. A JetStream publish needs nothing more: the server
// answers it on the publisher's inbox.
func Agent(host string, groups []string) (Permissions, error) {
	return AgentInDomain(host, groups, "")
}

// AgentInDomain is Agent for an agent behind a leaf node that reads the
// desired state of JetStream domain (e.g. "hub") with domain-prefixed
// direct gets ($JS.<domain>.API.DIRECT.GET…); "" is Agent.
func AgentInDomain(host string, groups []string, domain string) (Permissions, error) {
	if domain != "" {
		if err := agentwire.ValidToken(domain); err != nil {
			return Permissions{}, fmt.Errorf("JetStream domain: %w", err)
		}
	}
	if err := agentwire.ValidToken(host); err != nil {
		return Permissions{}, fmt.Errorf("host: %w", err)
	}
	gs := append([]string(nil), groups...)
	sort.Strings(gs)
	p := Permissions{
		Publish: []string{
			agentwire.ResultsSubject(host),
			agentwire.ScansSubject(host),
			agentwire.HelloSubject(host),
		},
		Subscribe: []string{agentwire.CommandSubject(host)},
	}
	for _, g := range gs {
		if err := agentwire.ValidToken(g); err != nil {
			return Permissions{}, fmt.Errorf("group of host %s: %w", host, err)
		}
		get := agentwire.DirectGetLast(agentwire.StreamDesired, agentwire.DesiredSubject(g))
		if domain != "" {
			get = "$JS." + domain + ".API." + strings.TrimPrefix(get, "$JS.API.")
		}
		p.Publish = append(p.Publish, get)
		p.Subscribe = append(p.Subscribe, agentwire.DesiredSubject(g))
	}
	p.Subscribe = append(p.Subscribe, InboxPrefix(host)+".>")
	return p, nil
}

// Controller returns the permissions of a client account's controller
// user: everything within its account (streams, consumers, jobs, direct
// gets). The account boundary is what keeps it from other clients.
func Controller() Permissions {
	return Permissions{Publish: []string{">"}, Subscribe: []string{">"}}
}

// Server converts p for a nats-server nkey user.
func (p Permissions) Server() *server.Permissions {
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: append([]string(nil), p.Publish...)},
		Subscribe: &server.SubjectPermission{Allow: append([]string(nil), p.Subscribe...)},
	}
}

// JWT converts p for a user JWT.
func (p Permissions) JWT() jwt.Permissions {
	var out jwt.Permissions
	out.Pub.Allow.Add(p.Publish...)
	out.Sub.Allow.Add(p.Subscribe...)
	return out
}
