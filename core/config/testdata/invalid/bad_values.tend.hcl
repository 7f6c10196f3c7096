host "db_1" {
  transport = "ftp" # ERROR: Invalid value
}

host "web_1" {
  transport = "ssh" # ERROR: Missing address
  ssh {
    port = 70000 # ERROR: Invalid port
  }
}

policy "p" {
  provider = "apt"
  targets  = [host.db_1, "web_1"] # ERROR: Invalid reference
  reboot   = "sometimes" # ERROR: Invalid value
  reject   = ["linux-[image"] # ERROR: Invalid pattern
  approve {
    after = "-3d" # ERROR: Invalid duration
    until = "31/01/2027" # ERROR: Invalid date
  }
  exclude {
    packages = ["postgresql-*"]
    until    = "2027-01-31"
    reason   = "  " # ERROR: Missing reason
  }
  rollout {
    ring "canary" {
      percent = 150 # ERROR: Invalid percent
    }
    ring "broad" {
      targets = [host.db_1]
      percent = 100 # ERROR: Conflicting ring membership
    }
    max_parallel = "20 percent" # ERROR: Invalid limit
  }
  health_check "ping" { # ERROR: Unknown health check type
  }
  health_check "http" {
    url           = "localhost/healthz" # ERROR: Invalid URL
    expect_status = 42 # ERROR: Invalid status
  }
}
