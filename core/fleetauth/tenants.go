package fleetauth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nats-io/nkeys"
	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/config"
)

// ClientLabel is the host label naming a host's MSP client, hence its
// NATS account.
const ClientLabel = "client"

// DefaultClient is the account of hosts without a client label.
const DefaultClient = "default"

// Tenant is one MSP client: its NATS account and the users in it.
type Tenant struct {
	// Client names the account.
	Client string
	// Controller is the public nkey (U…) of the controller user, if any.
	Controller string
	// Agents are the enrolled agent hosts, sorted by host.
	Agents []AgentUser
}

// AgentUser is one enrolled agent host.
type AgentUser struct {
	Host   string
	Groups []string
	// NKey is the host's public user nkey (U…), from tend agent enroll.
	NKey string
}

// HostGroups names the groups host belongs to (the groups whose match
// selects it), sorted: the desired-state subjects its agent may read. A
// host no group selects follows agentwire.Ungrouped, where the controller
// publishes the desired state of such hosts.
func HostGroups(cfg *config.Config, h *config.Host) []string {
	var out []string
	for name, g := range cfg.Groups {
		if g.Matches(h) {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		return []string{agentwire.Ungrouped}
	}
	sort.Strings(out)
	return out
}

// Tenants groups cfg's hosts into one tenant per client label, with an
// agent user for every host that has an enrolled public key (enrolled maps
// host to key, see LoadEnrolled). controllers maps a client to its
// controller's public key. An enrolled key for a host no configuration
// declares gets no user: it is an unmanaged agent, refused until declared.
func Tenants(cfg *config.Config, enrolled, controllers map[string]string) ([]Tenant, error) {
	byClient := map[string]*Tenant{}
	tenant := func(c string) *Tenant {
		t := byClient[c]
		if t == nil {
			t = &Tenant{Client: c, Controller: controllers[c]}
			byClient[c] = t
		}
		return t
	}
	for name, h := range cfg.Hosts {
		key, ok := enrolled[name]
		if !ok {
			continue
		}
		if !nkeys.IsValidPublicUserKey(key) {
			return nil, fmt.Errorf("host %s: %w", name, notUserKey(key))
		}
		client := h.Labels[ClientLabel]
		if client == "" {
			client = DefaultClient
		}
		t := tenant(client)
		t.Agents = append(t.Agents, AgentUser{Host: name, Groups: HostGroups(cfg, h), NKey: key})
	}
	for c := range controllers {
		tenant(c)
	}
	out := make([]Tenant, 0, len(byClient))
	for _, t := range byClient {
		sort.Slice(t.Agents, func(i, j int) bool { return t.Agents[i].Host < t.Agents[j].Host })
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Client < out[j].Client })
	return out, nil
}

// LoadEnrolled reads a directory of enrolled public keys, one file per
// host named HOST.pub holding the key tend agent enroll printed.
func LoadEnrolled(dir string) (map[string]string, error) {
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("enrolled keys: %w", err)
	}
	for _, e := range entries {
		host, ok := strings.CutSuffix(e.Name(), ".pub")
		if !ok || e.IsDir() {
			continue
		}
		if err := agentwire.ValidToken(host); err != nil {
			return nil, fmt.Errorf("enrolled key %s: %w", e.Name(), err)
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("enrolled keys: %w", err)
		}
		key := strings.TrimSpace(string(b))
		if !nkeys.IsValidPublicUserKey(key) {
			return nil, fmt.Errorf("enrolled key %s: %w", e.Name(), notUserKey(key))
		}
		out[host] = key
	}
	return out, nil
}

// Enroll records host's public key in dir (HOST.pub, mode 0600), as the
// operator does after tend agent enroll printed it.
func Enroll(dir, host, key string) error {
	if err := agentwire.ValidToken(host); err != nil {
		return err
	}
	if !nkeys.IsValidPublicUserKey(key) {
		return fmt.Errorf("host %s: %w", host, notUserKey(key))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, host+".pub"), []byte(key+"\n"), 0o600)
}
