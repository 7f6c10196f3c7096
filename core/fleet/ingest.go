package fleet

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/inventory"
)

// onScan writes an agent's snapshot where tend scan writes it. A scan
// whose snapshot names another host than its subject is refused.
func (c *Controller) onScan(m jetstream.Msg) {
	host := strings.TrimPrefix(m.Subject(), agentwire.PrefixScans)
	log := c.o.Log.WithField("host", host)
	var s agentwire.Scan
	if err := json.Unmarshal(m.Data(), &s); err != nil || s.Version != agentwire.Version {
		log.WithError(err).Warnf("refused a scan: not a version %s scan message", agentwire.Version)
		_ = m.Term()
		return
	}
	snap, err := inventory.Parse(m.Subject(), s.Snapshot, host)
	if err == nil && s.Host != host {
		err = errWrongHost(s.Host, host)
	}
	if err != nil {
		log.WithError(err).Warn("refused a scan")
		_ = m.Term()
		return
	}
	if err := inventory.Write(c.o.InventoryDir, snap); err != nil {
		log.WithError(err).Error("writing an ingested scan")
		_ = m.Nak()
		return
	}
	c.markSeen(host)
	_ = m.Ack()
}

type wrongHost struct{ got, want string }

func (e wrongHost) Error() string {
	return "scan for host " + e.got + " arrived on " + agentwire.ScansSubject(e.want)
}

func errWrongHost(got, want string) error { return wrongHost{got, want} }

func (c *Controller) onHello(m *nats.Msg) {
	host := strings.TrimPrefix(m.Subject, agentwire.PrefixHello)
	var h agentwire.Hello
	if err := json.Unmarshal(m.Data, &h); err != nil || h.Version != agentwire.Version || h.Host != host {
		c.o.Log.WithField("host", host).Warn("ignored a hello that is not a version " + agentwire.Version + " hello from its own subject")
		return
	}
	c.mu.Lock()
	c.hellos[host] = h
	c.seenLocked(host)
	c.mu.Unlock()
}

func (c *Controller) markSeen(host string) {
	c.mu.Lock()
	c.seenLocked(host)
	c.mu.Unlock()
}

// seenLocked records that host's agent was heard from now.
func (c *Controller) seenLocked(host string) {
	now := time.Now()
	c.seen[host] = now
	if _, ok := c.firstSeen[host]; !ok {
		c.firstSeen[host] = now
	}
}

// Unmanaged are the agents that said hello whose host the last published
// configuration does not declare (by a host block or hosts-file entry),
// sorted; none before a configuration was published.
func (c *Controller) Unmanaged() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for h := range c.hellos {
		if c.published && !c.known[h] {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}

// Stale are the declared agent hosts that sent neither hello nor scan in
// the last StaleAfter (counted from when the host was first declared, for
// hosts never heard from), sorted.
func (c *Controller) Stale(now time.Time) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, h := range slices.Sorted(maps.Keys(c.declared)) {
		last, ok := c.seen[h]
		if !ok {
			last = c.declaredSince[h]
		}
		if now.Sub(last) > c.o.StaleAfter {
			out = append(out, h)
		}
	}
	return out
}

// Hello returns the last hello of host.
func (c *Controller) Hello(host string) (agentwire.Hello, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.hellos[host]
	return h, ok
}
