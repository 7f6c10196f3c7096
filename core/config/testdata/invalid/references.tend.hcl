host "web_1" {
  transport = "local"
}

policy "p" {
  provider = "atp" # ERROR: Unknown provider
  targets  = [host.web_1, group.nope] # ERROR: Reference to undeclared group
  window   = window.weekend # ERROR: Reference to undeclared window
  approve {}
  exclude {
    targets = [host.web_2] # ERROR: Reference to undeclared host
    until   = "2027-01-01"
    reason  = "testing"
  }
}

provider "apt" {
  roots = "/srv/root" # ERROR: Unsupported argument
}

unknown "x" { # ERROR: Unsupported block type
}
