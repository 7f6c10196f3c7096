# Initech has no maintenance window for its Linux servers: the TPS
# application runs on both app servers behind a load balancer, so one may
# restart at any time.
policy "initech_linux" {
  provider = "apt"
  targets  = [group.initech_apps]

  # Security updates after three days, everything else after two weeks.
  approve {
    classification = ["security"]
    after          = "3d"
  }
  approve {
    classification = ["updates"]
    after          = "14d"
  }

  # The TPS report generator runs on app_1 only. Expired: the vendor
  # promised a release for PHP 8.2.32 by the end of October. The plan warns
  # about this block and no longer honours it; the PHP update is planned
  # like any other. Extend it or delete it.
  exclude {
    packages = ["php8.2*"]
    targets  = [host.initech_app_1]
    until    = "2026-10-31"
    reason   = "TPS report generator fails on PHP 8.2.32 (vendor case 88213)"
  }

  reboot = "if_needed"

  rollout {
    ring "canary" {
      targets = [host.initech_app_1]
      soak    = "24h"
    }
    ring "rest" {
      percent = 100
    }
    max_parallel = 1
    max_failures = 1
  }

  health_check "http" {
    url           = "http://${host.address}/tps/health"
    expect_status = 200
    timeout       = "10s"
  }
}

# The Windows server: once a month, on the Thursday after Patch Tuesday,
# security and critical updates rated Critical or Important. Defender keeps
# its own definitions current; tend leaves them alone here. The server is
# restarted after every patch night, needed or not.
policy "initech_windows" {
  provider = "windowsupdate"
  targets  = [host.initech_srv01]

  approve {
    classification = ["security", "critical"]
    severity       = ["Critical", "Important"]
  }

  reject = ["KB5044284"]

  window = window.after_patch_tuesday
  reboot = "always"
}
