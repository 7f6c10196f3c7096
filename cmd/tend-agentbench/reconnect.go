package main

import (
	"encoding/json"
	"sync/atomic"
	"time"

	"github.com/tend-sh/tend/core/agentwire"
)

// reconnectResult is every agent reconnecting after a server restart, each
// then checking its desired revision with a direct get.
type reconnectResult struct {
	Jitter float64 `json:"jitter_s"`
	// Down is from SIGTERM to the restarted server accepting connections.
	Down float64 `json:"down_s"`
	// Reconnected and Checked are from the restarted server's readiness to
	// the last agent reconnected, and to the last revision check answered.
	Reconnected  float64 `json:"all_reconnected_s"`
	Checked      float64 `json:"all_checked_s"`
	Missing      int     `json:"missing"`
	CheckErrors  int64   `json:"check_errors"`
	ServerCPU    float64 `json:"server_cpu_s"`
	ServerRSSEnd int64   `json:"server_rss_end_bytes"`
}

// reconnect restarts the server and waits for every agent to reconnect
// (with the jitter the fleet connected with) and read the desired state's
// last message with a direct get, as agents do on reconnect.
func reconnect(f *fleet, h *hub, jitter, wait time.Duration) (*reconnectResult, error) {
	n := int64(len(f.agents))
	var reconnected, checked, checkErrors atomic.Int64
	var lastReconnect, lastCheck atomic.Int64
	onReconnect := func(a *agent) {
		lastReconnect.Store(time.Now().UnixNano())
		reconnected.Add(1)
		go func() {
			m, err := a.nc.Request(agentwire.DirectGetLast(agentwire.StreamDesired, agentwire.DesiredSubject(group)), nil, 2*time.Minute)
			var d agentwire.DesiredState
			if err != nil || json.Unmarshal(m.Data, &d) != nil || d.Revision == 0 {
				checkErrors.Add(1)
				return
			}
			a.revision.Store(max(a.revision.Load(), d.Revision))
			lastCheck.Store(time.Now().UnixNano())
			checked.Add(1)
		}()
	}
	f.onReconnect.Store(&onReconnect)
	defer f.onReconnect.Store(nil)
	res := &reconnectResult{Jitter: jitter.Seconds()}
	stop := time.Now()
	if err := h.stop(); err != nil {
		return nil, err
	}
	cpu := h.cpu()
	if err := h.start(); err != nil {
		return nil, err
	}
	ready := time.Now()
	res.Down = ready.Sub(stop).Seconds()
	deadline := ready.Add(wait)
	for (reconnected.Load() < n || checked.Load()+checkErrors.Load() < n) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	since := func(ns int64) float64 {
		if ns == 0 {
			return 0
		}
		return time.Unix(0, ns).Sub(ready).Seconds()
	}
	res.Reconnected, res.Checked = since(lastReconnect.Load()), since(lastCheck.Load())
	res.Missing = int(n - reconnected.Load())
	res.CheckErrors = checkErrors.Load()
	res.ServerCPU = (h.cpu() - cpu).Seconds()
	res.ServerRSSEnd = h.rss()
	h.sampleRSS()
	return res, nil
}
