host "web_1" {
  transport = "local"
}

host "web_2" {
  transport = "local"
}

policy "no_checks" {
  provider = "apt"
  targets  = [host.web_1]
  rollback = true # ERROR: Rollback without health checks
  approve {}
}

policy "not_bool" {
  provider = "apt"
  targets  = [host.web_2]
  rollback = "yes please" # ERROR: Incorrect attribute value type
  approve {}
  health_check "command" {
    argv = ["true"]
  }
}
