host "web_1" {
  transport = "local"
}

policy "p" {
  provider = "apt"
  targets  = [host.web_1]
  reject = [
    "openssl=3.0.11-2",
    "openssl=3.0.[11", # ERROR: Invalid pattern
    "=3.0.11-2", # ERROR: Invalid pattern
    "libpq5=", # ERROR: Invalid pattern
  ]
  approve {}
}
