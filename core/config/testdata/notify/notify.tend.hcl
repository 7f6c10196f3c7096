notify "ops_slack" {
  type     = "slack"
  url_env  = "TEND_SLACK_URL"
  only_on  = ["rollout_halted", "config_rejected"]
  severity = "warning"
}

notify "acme_mail" {
  type                 = "email"
  match                = { client = "acme" }
  digest               = "24h"
  rate_limit           = 10
  reboot_pending_after = "72h"
  expiring_within      = "14d"
  smtp {
    host          = "smtp.example.com"
    username      = "tend"
    password_file = "/etc/tend/smtp-password"
    from          = "tend@example.com"
    to            = ["ops@example.com"]
  }
}

notify "soc" {
  type       = "webhook"
  url_file   = "/etc/tend/soc-url"
  secret_env = "TEND_SOC_SECRET"
}
