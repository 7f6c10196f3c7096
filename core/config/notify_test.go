package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
)

// TestValidNotify decodes the notify blocks of testdata/notify, defaults
// included.
func TestValidNotify(t *testing.T) {
	cfg, diags := Load("testdata/notify")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := map[string]*Notify{
		"ops_slack": {Name: "ops_slack", Type: NotifySlack, URL: SecretRef{Env: "TEND_SLACK_URL"},
			OnlyOn: []string{"rollout_halted", "config_rejected"}, MinSeverity: "warning",
			RebootPendingAfter: DefaultRebootPendingAfter, ExpiringWithin: DefaultExpiringWithin, StaleAfter: DefaultStaleAfter},
		"acme_mail": {Name: "acme_mail", Type: NotifyEmail, MinSeverity: "info", Match: map[string]string{"client": "acme"},
			Digest: 24 * time.Hour, RateLimit: 10, RebootPendingAfter: 72 * time.Hour, ExpiringWithin: 14 * 24 * time.Hour, StaleAfter: DefaultStaleAfter,
			SMTP: &SMTP{Host: "smtp.example.com", Port: 587, TLS: "starttls", Username: "tend",
				Password: SecretRef{File: "/etc/tend/smtp-password"}, From: "tend@example.com", To: []string{"ops@example.com"}}},
		"soc": {Name: "soc", Type: NotifyWebhook, URL: SecretRef{File: "/etc/tend/soc-url"}, Secret: SecretRef{Env: "TEND_SOC_SECRET"},
			MinSeverity: "info", RebootPendingAfter: DefaultRebootPendingAfter, ExpiringWithin: DefaultExpiringWithin, StaleAfter: DefaultStaleAfter},
	}
	if diff := cmp.Diff(want, cfg.Notify, cmpopts.IgnoreTypes(hcl.Range{})); diff != "" {
		t.Errorf("notify blocks (-want +got):\n%s", diff)
	}
}
