package session

import (
	"strings"
	"testing"

	"github.com/tend-sh/tend/core/config"
)

// TestAgentHostHasNoRunner: an agent host is reached only through tend
// serve's controller; tend scan and tend apply say so.
func TestAgentHostHasNoRunner(t *testing.T) {
	var tr transports
	_, err := tr.runner(&config.Host{Name: "laptop_1", Transport: config.TransportAgent})
	if err == nil || !strings.Contains(err.Error(), "tend serve --nats") || !strings.Contains(err.Error(), "laptop_1") {
		t.Errorf("err = %v", err)
	}
}
