# globex's servers are patched on weeknights, 23:00 to 03:00 New York time
# (window.weeknights_ny).

# Windows Update on all four servers. One file server and one session host
# go first; the other two follow after a day without trouble.
policy "globex_windows" {
  provider = "windowsupdate"
  targets  = [group.globex_windows]

  # Security and critical updates rated Critical or Important. Within one
  # approve block every criterion must match: a critical update without a
  # severity rating is not approved by this block.
  approve {
    classification = ["security", "critical"]
    severity       = ["Critical", "Important"]
  }
  # Defender definition updates, always.
  approve {
    classification = ["definition"]
  }

  # The in-place upgrade to Windows Server 2025, which some tools offered
  # to Server 2022 as a security update in November 2024. Never.
  reject = ["KB5044284"]

  window = window.weeknights_ny
  reboot = "if_needed"

  rollout {
    ring "pilot" {
      targets = [host.globex_fs02, host.globex_rds02]
      soak    = "24h"
    }
    ring "broad" {
      percent = 100
    }
    max_parallel = "50%"
    max_failures = 1
  }

  health_check "command" {
    argv    = ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command", "if ((Get-Service LanmanServer).Status -ne 'Running') { exit 1 }"]
    timeout = "1m"
  }
}

# The desktop applications on the two session hosts, through winget.
policy "globex_rds_apps" {
  provider = "winget"
  targets  = [group.globex_rds]

  # Browsers and 7-Zip at the next window …
  approve {
    packages = ["Google.Chrome", "Mozilla.Firefox", "7zip.7zip"]
  }
  # … everything else once it has been out for a week. winget reports no
  # release dates, so the week counts from the first scan that saw it.
  approve {
    packages = ["*"]
    after    = "7d"
  }

  # Oracle's Java licence terms: tend never installs or updates the Oracle
  # JRE, and `tend report` lists where it is still installed.
  reject = ["Oracle.JavaRuntimeEnvironment"]

  window = window.weeknights_ny
  reboot = "never" # users are logged on; Windows Update reboots these hosts
}
