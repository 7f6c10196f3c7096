# Who hears about what (tend serve; docs/operations.md, "Notifications").
# The URLs and the password are secrets: they live on the machine running
# tend serve, in files or its environment, never in this repository.

# The MSP's on-call channel: everything that needs a person now.
notify "oncall_slack" {
  type     = "slack"
  url_env  = "TEND_ONCALL_SLACK_URL"
  severity = "warning"
}

# acme's IT team gets a daily mail about their own hosts only: failures,
# halted rollouts, drift, and exclusions that end within two weeks.
notify "acme_daily" {
  type            = "email"
  match           = { client = "acme" }
  only_on         = ["apply_failed", "rollout_halted", "health_check_failed", "drift", "exclusion_expiring"]
  digest          = "24h"
  expiring_within = "14d"
  smtp {
    host          = "smtp.example.net"
    username      = "tend"
    password_file = "/etc/tend/smtp-password"
    from          = "patching@msp.example"
    to            = ["it@acme.example"]
  }
}

# The MSP's ticketing system: every event as signed JSON.
notify "tickets" {
  type        = "webhook"
  url_file    = "/etc/tend/tickets-url"
  secret_file = "/etc/tend/tickets-secret"
}
