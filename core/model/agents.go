package model

import (
	"strings"
	"time"
)

// AgentPresence is what tend serve's agent controller knows about the
// agents it heard from (summary.json's "agents", present only in agent
// mode): the agents no configuration declares, and the declared agent
// hosts whose agent went silent. Both lists are sorted by host.
type AgentPresence struct {
	// StaleAfter is the silence after which a declared agent host is
	// stale, as a Go duration ("3h").
	StaleAfter string           `json:"stale_after"`
	Unmanaged  []UnmanagedAgent `json:"unmanaged"`
	Stale      []StaleAgent     `json:"stale"`
	// LastSeen is each declared agent host's last hello or scan, for
	// report.json's "agent"; not part of summary.json.
	LastSeen map[string]time.Time `json:"-"`
}

// UnmanagedAgent is an agent that said hello, or whose key is enrolled,
// for a host no host block or hosts file declares: it runs, but nothing
// patches it or reports its compliance until a pull request declares it.
type UnmanagedAgent struct {
	Host string `json:"host"`
	// Client is the "client" label of its hello; omitted when it sent none.
	Client string `json:"client,omitempty"`
	// FirstSeen and LastSeen are its first and last hello; nil (null) for
	// an agent only known by its enrolled key.
	FirstSeen *time.Time `json:"first_seen"`
	LastSeen  *time.Time `json:"last_seen"`
	// Enrolled is set when its public key is in the enrolled-keys
	// directory.
	Enrolled     bool   `json:"enrolled"`
	AgentVersion string `json:"agent_version,omitempty"`
	// Groups are the desired-state groups it asked for; Labels and Facts
	// what its hello said about itself (facts: os, release, kernel,
	// hostname). Omitted when empty.
	Groups []string          `json:"groups,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
	Facts  map[string]string `json:"facts,omitempty"`
}

// StaleAgent is a declared agent host whose agent sent neither hello nor
// scan for longer than AgentPresence.StaleAfter.
type StaleAgent struct {
	Host   string `json:"host"`
	Client string `json:"client,omitempty"`
	// LastSeen is its last hello or scan; nil (null) when the controller
	// never heard from it (then the silence counts from when the host was
	// first declared to the controller).
	LastSeen *time.Time `json:"last_seen"`
}

// AgentStatus is report.json's "agent", for a host with transport "agent"
// in tend serve: when its agent was last heard from and whether that is
// longer ago than the stale threshold. It does not change the host's
// compliance state, which is that of its last scan.
type AgentStatus struct {
	LastSeen *time.Time `json:"last_seen"`
	Stale    bool       `json:"stale"`
}

// FactsText is its hello's facts in one line, the os and release first:
// "debian 12, 6.1.0-18-amd64, amd64, kiosk-3".
func (u UnmanagedAgent) FactsText() string {
	var parts []string
	if os := strings.TrimSpace(u.Facts["os"] + " " + u.Facts["release"]); os != "" {
		parts = append(parts, os)
	}
	for _, k := range []string{"kernel", "arch", "hostname"} {
		if v := u.Facts[k]; v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ", ")
}

// AgentText is its agent's version, "(enrolled)" added when its key is
// enrolled.
func (u UnmanagedAgent) AgentText() string {
	if u.Enrolled {
		return strings.TrimSpace(u.AgentVersion + " (enrolled)")
	}
	return u.AgentVersion
}
