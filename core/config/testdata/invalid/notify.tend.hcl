notify "literal_url" {
  type = "slack"
  url  = "https://hooks.slack.com/services/T0/B0/XXXX" # ERROR: Secret in the repository
}

notify "no_url" { # ERROR: Missing url
  type = "teams"
}

notify "both" {
  type     = "webhook"
  url_file = "/etc/tend/hook-url"
  url_env  = "TEND_HOOK_URL" # ERROR: Conflicting secret sources
}

notify "typo" {
  type    = "webhook"
  url_env = "TEND_HOOK_URL"
  only_on = ["rollout_halt"] # ERROR: Unknown event kind
  severity = "loud" # ERROR: Invalid value
}

notify "pager" {
  type    = "sms" # ERROR: Invalid value
  url_env = "X"
}

notify "mail" { # ERROR: Missing smtp block
  type = "email"
}

notify "mail_secret" {
  type = "email"
  smtp {
    host     = "smtp.example.com"
    from     = "tend@example.com"
    to       = []  # ERROR: No recipients
    password = "hunter2" # ERROR: Secret in the repository
  }
}

notify "clear" {
  type = "email"
  smtp {
    host = "smtp.example.com"
    tls  = "none" # ERROR: Mail in the clear
    from = "tend@example.com"
    to   = ["ops@example.com"]
  }
}

notify "local_relay" {
  type = "email"
  smtp {
    host = "localhost"
    port = 25
    tls  = "none"
    from = "tend@example.com"
    to   = ["ops@example.com"]
  }
}
