package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHandlerExposesMetrics(t *testing.T) {
	m := New()
	m.ObserveReconcile(ReconcileOK, 2*time.Second, time.Unix(1700000000, 0))
	m.Hosts.WithLabelValues("compliant").Set(3)
	m.Webhooks.WithLabelValues("unauthorized").Inc()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`tend_reconciles_total{result="ok"} 1`,
		`tend_reconciles_total{result="error"} 0`,
		`tend_last_successful_reconcile_timestamp_seconds 1.7e+09`,
		`tend_hosts{state="compliant"} 3`,
		`tend_webhook_requests_total{result="unauthorized"} 1`,
		`tend_reconcile_duration_seconds_count 1`,
		`tend_actions_total{result="succeeded"} 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
