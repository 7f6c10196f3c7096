package daemon

import (
	"fmt"
	"net/http"
)

// Handler serves /healthz (the process is up), /readyz (a reconcile
// finished and the head commit's configuration governs; 503 with the reason
// otherwise, e.g. its diagnostics), /metrics when metrics are set, and
// /webhook when webhook is not nil.
func (d *Daemon) Handler(webhook http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		ok, msg := d.Ready()
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprintln(w, msg)
	})
	if d.o.Metrics != nil {
		mux.Handle("GET /metrics", d.o.Metrics.Handler())
	}
	if webhook != nil {
		mux.Handle("/webhook", webhook)
	}
	return mux
}
