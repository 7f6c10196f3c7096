host "web_1" {
  transport = "local"
}

policy "p" {
  provider     = "apt"
  targets      = [host.web_1]
  dependencies = "allow_as_dependency" # ERROR: Invalid value
  removals     = true # ERROR: Invalid value
  approve {}
}
