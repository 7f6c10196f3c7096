package agent

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/session"
)

// scan scans the host with the providers of its policies, as tend scan
// does, and queues the snapshot (the latest replaces one not yet sent).
// It does nothing before a configuration declaring the host is known, or
// while a job runs (the job's end scans).
func (a *Agent) scan(ctx context.Context) {
	a.mu.Lock()
	busy := a.busy != ""
	a.mu.Unlock()
	if busy {
		return
	}
	g := a.hostConfig()
	if g == nil {
		a.log.Debug("no configuration declares this host yet; not scanning")
		return
	}
	ps, err := a.providers(g)
	if err != nil {
		a.log.WithError(err).Error("scan: providers")
		return
	}
	snaps, err := session.Scan(ctx, g.cfg, ps, session.ScanOptions{Hosts: []string{a.o.Host}})
	if err != nil {
		a.log.WithError(err).Error("scan failed")
		return
	}
	snap := snaps[a.o.Host]
	if snap == nil {
		a.log.Debug("no policy targets this host; nothing to scan")
		return
	}
	data, err := inventory.Encode(snap)
	if err != nil {
		a.log.WithError(err).Error("scan: encode")
		return
	}
	// The snapshot's scanned_at has second precision; the message's own
	// time does not, so two scans within a second are two messages.
	at := time.Now().UTC()
	msg := agentwire.Scan{Version: agentwire.Version, Host: a.o.Host, ScannedAt: at, Snapshot: json.RawMessage(data)}
	id := "scan-" + a.o.Host + "-" + at.Format(time.RFC3339Nano)
	if err := a.queue("scan", agentwire.ScansSubject(a.o.Host), id, msg); err != nil {
		a.log.WithError(err).Error("scan: could not queue it")
		return
	}
	a.log.WithField("scanned_at", snap.ScannedAt).Info("scanned")
}
