# acme's patches go in on Saturday nights (window.weekend_nights, Berlin).

# The shop's front ends: security updates once they are three days old,
# OpenSSL and OpenSSH at the next window. web_1 goes first; web_2 follows a
# day later if web_1 stayed healthy.
policy "acme_web" {
  provider = "apt"
  targets  = [group.acme_prod_web]

  approve {
    classification = ["security"]
    after          = "3d"
  }
  approve {
    packages = ["openssl", "libssl3", "openssh-*"]
  }

  # nginx 1.22.1-9+deb12u8 (installed on 2026-11-14) drops the payment
  # provider's HTTP/2 callbacks (ACME-2284). Back to the last point-release
  # build until Debian ships a fix: the plan downgrades.
  pin = {
    nginx          = "1.22.1-9+deb12u6"
    "nginx-common" = "1.22.1-9+deb12u6"
  }

  # web_2 still runs the nightly export to the warehouse, which acme wants
  # to test against the new curl on web_1 first.
  exclude {
    packages = ["curl", "libcurl4"]
    targets  = [host.acme_web_2]
    until    = "2026-12-15"
    reason   = "warehouse export on web_2 not yet tested with curl 7.88.1-10+deb12u15 (ACME-2291)"
  }

  window = window.weekend_nights
  reboot = "if_needed"
  # A web server that fails its checks after patching gets its packages
  # back at the versions it had before (docs/language.md, "rollback").
  rollback = true

  rollout {
    ring "canary" {
      targets = [host.acme_web_1]
      soak    = "24h"
    }
    ring "rest" {
      percent = 100
    }
    max_parallel = 1
    max_failures = 0
  }

  health_check "command" {
    argv    = ["systemctl", "is-active", "--quiet", "nginx"]
    timeout = "30s"
  }
  health_check "http" {
    url           = "http://${host.address}/healthz"
    expect_status = 200
    timeout       = "10s"
  }
}

# The database server: security updates after three days, but neither the
# kernel (done by hand, with a planned failover) nor PostgreSQL (until the
# ERP vendor has certified the new minor release). Never rebooted by tend.
policy "acme_db" {
  provider = "apt"
  targets  = [group.acme_prod_db]

  approve {
    classification = ["security"]
    after          = "3d"
  }

  # Never installed by tend; `tend report` also flags installed matches
  # (installed_rejected).
  reject = ["linux-image-*"]

  exclude {
    packages = ["postgresql-*", "libpq5"]
    until    = "2027-01-31"
    reason   = "ERP vendor certifies PostgreSQL 15.20 in January (vendor ticket 4471)"
  }

  window = window.weekend_nights
  reboot = "never"

  health_check "command" {
    argv    = ["pg_isready", "--quiet", "--timeout=5"]
    timeout = "15s"
  }
}

# The domain controller: security and critical updates rated Critical or
# Important, and Defender's definition updates.
policy "acme_windows" {
  provider = "windowsupdate"
  targets  = [host.acme_dc01]

  approve {
    classification = ["security", "critical"]
    severity       = ["Critical", "Important"]
  }
  approve {
    classification = ["definition"]
  }

  # The in-place upgrade to Windows Server 2025, which some tools offered
  # to Server 2022 as a security update in November 2024. Never.
  reject = ["KB5044284"]

  window = window.weekend_nights
  reboot = "if_needed"

  health_check "command" {
    argv    = ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", "if (Get-Service NTDS, DNS, Netlogon | Where-Object Status -ne 'Running') { exit 1 }"]
    timeout = "2m"
  }
}

# Firmware of acme's servers, from fwupd: releases the vendor marks
# critical or high go in at the next Saturday window; anything else for the
# devices named here once it is two weeks old. Firmware never reboots a
# shop server by itself: a release that needs a reboot is installed and
# the reboot is left pending for acme's own maintenance.
policy "acme_firmware" {
  provider = "fwupd"
  targets  = [group.acme_prod_web, group.acme_prod_db]

  approve {
    severity = ["critical", "high"]
  }
  approve {
    packages = ["ACME Corp. *"]
    after    = "14d"
  }

  window = window.weekend_nights
  reboot = "never"
}
