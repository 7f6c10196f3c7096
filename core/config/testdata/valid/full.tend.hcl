tend {
  reports_branch = "tend/reports"
  required_providers {
    apt = ">= 0.1.0"
  }
}

provider "apt" {
  root    = "/"
  refresh = true
}

host "web_1" {
  transport = "ssh"
  address   = "10.0.0.5"
  ssh {
    user             = "tend"
    identity_file    = "~/.ssh/tend"
    known_hosts_file = "~/.ssh/known_hosts"
    port             = 2222
    sudo             = true
  }
  labels = { client = "acme", env = "prod", role = "web" }
}

hosts "acme_fleet" {
  file   = "hosts.json"
  labels = { client = "acme" }
}

group "acme_prod_web" {
  match = { client = "acme", env = "prod", role = "web" }
}

window "weekend_nights" {
  schedule = "0 22 * * SAT"
  duration = "6h"
  timezone = "Europe/Berlin"
  cutoff   = "1h"
}

window "after_patch_tuesday" {
  patch_tuesday_offset = "2d"
  start                = "22:00"
  duration             = "4h"
  timezone             = "America/New_York"
}

policy "linux_security" {
  provider = "apt"
  targets  = [group.acme_prod_web, host.web_1]

  approve {
    classification = ["security"]
    after          = "3d"
  }
  approve {
    packages = ["openssl", "openssh-*"]
    until    = "2027-03-31"
  }
  reject = ["linux-image-*"]
  pin    = { nginx = "1.22.1-9" }

  exclude {
    packages = ["postgresql-*"]
    until    = "2027-01-31"
    reason   = "waiting for vendor certification"
  }

  window    = window.weekend_nights
  emergency = false
  reboot    = "if_needed"

  rollout {
    ring "canary" {
      targets = [host.web_1]
      soak    = "24h"
    }
    ring "broad" {
      percent = 100
    }
    max_parallel = 10
    max_failures = "5%"
  }

  health_check "command" {
    argv    = ["systemctl", "is-active", "nginx"]
    timeout = "30s"
  }
  health_check "http" {
    url           = "http://localhost/healthz"
    expect_status = 200
  }
}
