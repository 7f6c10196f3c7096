package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// HTTPLimits bound what a client can make the daemon's HTTP servers hold:
// how long it may take to send a request and to read the answer, how large
// its headers may be, how long an idle connection stays open and how many
// connections the webhook listener keeps open at once.
type HTTPLimits struct {
	// ReadHeaderTimeout bounds the request line and headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds the whole request, body included.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the response.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that sends nothing.
	IdleTimeout time.Duration
	// MaxHeaderBytes caps the request line and headers.
	MaxHeaderBytes int
	// MaxConns caps the webhook listener's open connections; further ones
	// wait in the kernel's accept queue until one closes. The metrics
	// listener has no cap, so it keeps answering while the webhook
	// listener is full.
	MaxConns int
}

// DefaultHTTPLimits are the limits tend serve uses. A webhook is a few
// kilobytes sent by a forge in well under a second, and GitHub gives up on
// a delivery after 10 seconds.
func DefaultHTTPLimits() HTTPLimits {
	return HTTPLimits{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		MaxConns:          64,
	}
}

// withDefaults fills the zero fields of l from DefaultHTTPLimits.
func (l HTTPLimits) withDefaults() HTTPLimits {
	def := DefaultHTTPLimits()
	pick := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	pick(&l.ReadHeaderTimeout, def.ReadHeaderTimeout)
	pick(&l.ReadTimeout, def.ReadTimeout)
	pick(&l.WriteTimeout, def.WriteTimeout)
	pick(&l.IdleTimeout, def.IdleTimeout)
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = def.MaxHeaderBytes
	}
	if l.MaxConns <= 0 {
		l.MaxConns = def.MaxConns
	}
	return l
}

// ServeOptions say what Serve listens on.
type ServeOptions struct {
	// WebhookAddr, when set, is the public listener: POST /webhook served
	// by Webhook (required then), GET /healthz, GET /readyz answering
	// "ready" or "not ready" without the reason, and GET /metrics when
	// there is no separate metrics listener. Its connections are capped.
	WebhookAddr string
	Webhook     http.Handler
	// MetricsAddr, when set and not WebhookAddr, is the private listener:
	// GET /healthz, GET /readyz with the reason (the head's diagnostics,
	// the last error) and GET /metrics.
	MetricsAddr string
	// Limits bound both listeners; zero fields take DefaultHTTPLimits.
	Limits HTTPLimits
}

// Servers are the daemon's running HTTP servers.
type Servers struct {
	webhook, metrics *server
}

type server struct {
	http *http.Server
	addr string
}

// WebhookAddr is the address the public listener is bound to, "" if none.
func (s *Servers) WebhookAddr() string { return s.webhook.address() }

// MetricsAddr is the address the separate metrics listener is bound to,
// "" if none.
func (s *Servers) MetricsAddr() string { return s.metrics.address() }

func (s *server) address() string {
	if s == nil {
		return ""
	}
	return s.addr
}

func (s *Servers) each(f func(*http.Server) error) error {
	var errs []error
	for _, sv := range []*server{s.webhook, s.metrics} {
		if sv != nil {
			errs = append(errs, f(sv.http))
		}
	}
	return errors.Join(errs...)
}

// Shutdown stops the servers gracefully: no new connections, running
// requests finish until ctx ends.
func (s *Servers) Shutdown(ctx context.Context) error {
	return s.each(func(h *http.Server) error { return h.Shutdown(ctx) })
}

// Close stops the servers at once.
func (s *Servers) Close() error { return s.each((*http.Server).Close) }

// Serve starts the daemon's HTTP listeners (see ServeOptions) and serves
// them until Shutdown or Close.
func (d *Daemon) Serve(o ServeOptions) (*Servers, error) {
	if o.WebhookAddr != "" && o.Webhook == nil {
		return nil, errors.New("daemon: a webhook address without a webhook handler")
	}
	var webhookLn, metricsLn net.Listener
	if o.WebhookAddr != "" {
		ln, err := net.Listen("tcp", o.WebhookAddr)
		if err != nil {
			return nil, fmt.Errorf("webhook listener: %w", err)
		}
		webhookLn = ln
	}
	if o.MetricsAddr != "" && o.MetricsAddr != o.WebhookAddr {
		ln, err := net.Listen("tcp", o.MetricsAddr)
		if err != nil {
			if webhookLn != nil {
				_ = webhookLn.Close()
			}
			return nil, fmt.Errorf("metrics listener: %w", err)
		}
		metricsLn = ln
	}
	return d.serve(webhookLn, metricsLn, o.Webhook, o.Limits), nil
}

// serve serves the public listener webhookLn and the private metricsLn,
// either of which may be nil.
func (d *Daemon) serve(webhookLn, metricsLn net.Listener, wh http.Handler, l HTTPLimits) *Servers {
	l = l.withDefaults()
	s := &Servers{}
	if webhookLn != nil {
		mux := d.healthMux(false, metricsLn == nil)
		mux.Handle("/webhook", wh)
		s.webhook = d.start(netutil.LimitListener(webhookLn, l.MaxConns), mux, l, "webhooks")
	}
	if metricsLn != nil {
		s.metrics = d.start(metricsLn, d.healthMux(true, true), l, "metrics and health")
	}
	return s
}

func (d *Daemon) start(ln net.Listener, h http.Handler, l HTTPLimits, what string) *server {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
	addr := ln.Addr().String()
	d.log.WithField("addr", addr).Info("serving " + what)
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.WithError(err).Errorf("the %s server stopped", what)
		}
	}()
	return &server{http: hs, addr: addr}
}

// healthMux serves /healthz (the process is up), /readyz (a reconcile
// finished and the head commit's configuration governs; 503 otherwise,
// with the reason, e.g. the head's diagnostics, only when details is set)
// and, with metrics set and when the daemon has metrics, /metrics.
func (d *Daemon) healthMux(details, metrics bool) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		ok, msg := d.Ready()
		if !details {
			msg = "ready"
			if !ok {
				msg = "not ready"
			}
		}
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprintln(w, msg)
	})
	if metrics && d.o.Metrics != nil {
		mux.Handle("GET /metrics", d.o.Metrics.Handler())
	}
	return mux
}
