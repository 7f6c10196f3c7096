# Change control for one client: two maintenance windows, a year-end
# freeze, a suspended host, and hooks that drain the load balancer around
# each web server's patching. Plan it offline at a few instants:
#
#   tend plan -C examples/change-control --inventory examples/change-control/snapshots --at 2026-11-23T10:00:00Z
#   … --at 2026-11-25T03:30:00Z          (the Wednesday window is open)
#   … --at 2026-12-19T22:30:00+01:00     (Saturday night, inside the freeze)

tend {
  required_providers {
    apt = ">= 0.1.0"
  }
}

provider "apt" {}

host "web_1" {
  address = "10.0.0.11"
  ssh {
    user = "tend"
    sudo = true
  }
  labels = { client = "acme", role = "web" }
}

host "web_2" {
  address = "10.0.0.12"
  ssh {
    user = "tend"
    sudo = true
  }
  labels = { client = "acme", role = "web" }
}

host "db_1" {
  address = "10.0.0.21"
  ssh {
    user = "tend"
    sudo = true
  }
  labels = { client = "acme", role = "db" }

  # Nothing is applied to this host until the date; it is still scanned
  # and reported, and plans say why it waits.
  suspend {
    until  = "2026-12-31"
    reason = "storage migration, ticket ACME-4711"
  }
}

group "acme_web" {
  match = { client = "acme", role = "web" }
}

group "acme" {
  match = { client = "acme" }
}

window "weekend_nights" {
  schedule = "0 22 * * SAT"
  duration = "6h"
  timezone = "Europe/Berlin"
  cutoff   = "1h"
}

window "wednesday_early" {
  schedule = "0 3 * * WED"
  duration = "2h"
  timezone = "UTC"
}

# No policy acts on acme's hosts in this span, whatever its windows say;
# only emergency policies do.
freeze "acme_year_end" {
  from    = "2026-12-18"
  until   = "2027-01-04"
  reason  = "acme year-end change freeze"
  targets = [group.acme]
}

policy "acme_web" {
  provider = "apt"
  targets  = [group.acme_web]
  window   = [window.weekend_nights, window.wednesday_early] # any open one will do
  reboot   = "if_needed"

  approve {
    classification = ["security"]
  }

  # Run on the host, through its transport, in order (argv, no shell).
  hook "pre" {
    argv    = ["/usr/local/bin/lb-member", "drain", "--wait"]
    timeout = "2m"
  }
  hook "post" {
    argv    = ["/usr/local/bin/lb-member", "enable"]
    timeout = "1m"
  }

  rollout {
    ring "all" {
      percent = 100
    }
    max_parallel = 1
    max_failures = 0
  }
}

policy "acme_db" {
  provider = "apt"
  targets  = [host.db_1]
  window   = window.weekend_nights

  approve {
    classification = ["security"]
  }

  hook "pre" {
    argv = ["systemctl", "stop", "postgresql"]
  }
  hook "post" {
    argv = ["systemctl", "start", "postgresql"]
  }
}
