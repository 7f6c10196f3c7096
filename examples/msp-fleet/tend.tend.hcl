# tend configuration of a small managed-service provider: three clients,
# thirteen hosts. tend reads every *.tend.hcl file below this directory, so
# each client has its own folder under clients/; what all clients share is
# here at the top:
#
#   tend.tend.hcl     settings and providers (this file)
#   windows.tend.hcl  maintenance windows
#   edge.tend.hcl     the policy for every client's internet-facing hosts
#   clients/<client>/hosts.tend.hcl     hosts and groups
#   clients/<client>/policies.tend.hcl  what gets patched, and when

tend {
  reports_branch = "tend/reports"

  required_providers {
    apt           = ">= 0.1.0"
    windowsupdate = ">= 0.1.0"
    winget        = ">= 0.1.0"
    fwupd         = ">= 0.1.0"
  }
}

provider "apt" {
  refresh = true # apt-get update before every scan
}

provider "windowsupdate" {}

# Update-WinGetPackage accepts package agreements itself and cannot
# decline them, so tend upgrades nothing unless this says so.
provider "winget" {
  accept_agreements = true
}

# Device firmware through fwupd (LVFS). refresh downloads the remotes'
# metadata before every scan.
provider "fwupd" {
  refresh = true
}
