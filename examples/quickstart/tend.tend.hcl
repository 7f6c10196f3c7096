# The smallest useful tend configuration: one machine, patched by apt,
# security updates only.

tend {
  reports_branch = "tend/reports"

  required_providers {
    apt = ">= 0.1.0"
  }
}

provider "apt" {}

# The machine tend runs on. No address, no SSH.
host "local" {
  transport = "local"
  labels    = { env = "lab" }
}

policy "security_only" {
  provider = "apt"
  targets  = [host.local]

  # Updates from the Debian security archive, as soon as they are out.
  # Everything else (tzdata, ca-certificates, …) is left alone.
  approve {
    classification = ["security"]
  }

  # No window: tend may act at any time. It never reboots this machine;
  # the plan and the report say when a reboot is needed.
  reboot = "never"
}
