package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Reconcile outcomes, the "result" label of tend_reconciles_total.
const (
	ReconcileOK          = "ok"           // reports committed (or unchanged)
	ReconcileConfigError = "config_error" // the head commit's configuration was rejected; the last good one ran
	ReconcileUnverified  = "unverified"   // the head commit's signature was not trusted; the last good one ran
	ReconcileError       = "error"        // the reconcile could not finish
)

// Agent states, the "state" label of tend_agents.
const (
	AgentsUnmanaged = "unmanaged" // agents that said hello, or are enrolled, for hosts no configuration declares
	AgentsStale     = "stale"     // declared agent hosts silent for longer than the stale threshold
)

// Metrics are the daemon's instruments.
type Metrics struct {
	Registry *prometheus.Registry

	ReconcileDuration prometheus.Histogram
	Reconciles        *prometheus.CounterVec
	LastSuccess       prometheus.Gauge
	Hosts             *prometheus.GaugeVec
	Actions           *prometheus.CounterVec
	Webhooks          *prometheus.CounterVec
	ConfigValid       prometheus.Gauge
	HaltedRollouts    prometheus.Gauge
	// Notifications counts notification messages by sink and result
	// (sent, failed, expired); NotificationsQueued gauges the outbox.
	Notifications       *prometheus.CounterVec
	NotificationsQueued prometheus.Gauge
	// Agents gauges agents by state (AgentsUnmanaged, AgentsStale), in
	// agent mode.
	Agents *prometheus.GaugeVec
}

// New creates the metrics on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		ReconcileDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "tend_reconcile_duration_seconds",
			Help:    "Time one reconcile took: fetch, scan, plan, apply, report.",
			Buckets: []float64{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600},
		}),
		Reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tend_reconciles_total",
			Help: "Reconciles by result: ok, config_error, unverified, error.",
		}, []string{"result"}),
		LastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tend_last_successful_reconcile_timestamp_seconds",
			Help: "Unix time the last reconcile that committed its reports finished.",
		}),
		Hosts: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tend_hosts",
			Help: "Hosts by compliance state after the last reconcile: compliant, non_compliant, unknown.",
		}, []string{"state"}),
		Actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tend_actions_total",
			Help: "Actions applied, by result: succeeded, failed, interrupted, skipped.",
		}, []string{"result"}),
		Webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tend_webhook_requests_total",
			Help: "Webhook requests by result: accepted, ignored, duplicate, unauthorized, bad_request, too_large, busy, method_not_allowed.",
		}, []string{"result"}),
		ConfigValid: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tend_config_valid",
			Help: "1 when the configuration at the watched branch's head loaded (and verified), else 0.",
		}),
		HaltedRollouts: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tend_halted_rollouts",
			Help: "Policies whose rollout is halted after too many failures.",
		}),
		Notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tend_notifications_total",
			Help: "Notification messages by sink and result: sent, failed (an attempt failed; it is retried), expired (dropped undelivered).",
		}, []string{"sink", "result"}),
		NotificationsQueued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tend_notifications_queued",
			Help: "Notification messages in the outbox waiting to be sent.",
		}),
		Agents: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tend_agents",
			Help: "Agents by state after the last reconcile: unmanaged (an agent said hello, or its key is enrolled, for a host no configuration declares), stale (a declared agent host silent for longer than --agent-stale-after).",
		}, []string{"state"}),
	}
	m.Registry.MustRegister(m.ReconcileDuration, m.Reconciles, m.LastSuccess, m.Hosts, m.Actions,
		m.Webhooks, m.ConfigValid, m.HaltedRollouts, m.Notifications, m.NotificationsQueued, m.Agents,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Known label values start at zero, so rates work from the first scrape.
	for _, r := range []string{ReconcileOK, ReconcileConfigError, ReconcileUnverified, ReconcileError} {
		m.Reconciles.WithLabelValues(r)
	}
	for _, s := range []string{"compliant", "non_compliant", "unknown"} {
		m.Hosts.WithLabelValues(s)
	}
	for _, s := range []string{"succeeded", "failed", "interrupted", "skipped"} {
		m.Actions.WithLabelValues(s)
	}
	for _, s := range []string{AgentsUnmanaged, AgentsStale} {
		m.Agents.WithLabelValues(s)
	}
	for _, s := range []string{"accepted", "ignored", "duplicate", "unauthorized", "bad_request", "too_large", "busy", "method_not_allowed"} {
		m.Webhooks.WithLabelValues(s)
	}
	return m
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// ObserveReconcile records one reconcile's result and duration.
func (m *Metrics) ObserveReconcile(result string, took time.Duration, finished time.Time) {
	m.ReconcileDuration.Observe(took.Seconds())
	m.Reconciles.WithLabelValues(result).Inc()
	if result != ReconcileError {
		m.LastSuccess.Set(float64(finished.Unix()))
	}
}
