// Package metrics holds the Prometheus metrics of tend serve, on a registry
// of their own (plus the Go runtime and process collectors), served at
// /metrics.
package metrics
