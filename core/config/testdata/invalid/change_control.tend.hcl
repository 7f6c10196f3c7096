host "web_1" {
  transport = "local"
  suspend {
    until  = "2026-12-31"
    reason = " " # ERROR: Missing reason
  }
  suspend { # ERROR: Duplicate suspend block
    until  = "2027-01-31"
    reason = "again"
  }
}

host "db_1" {
  transport = "local"
}

host "db_2" {
  transport = "local"
}

window "weekend" {
  schedule = "0 22 * * SAT"
  duration = "6h"
}

freeze "backwards" {
  from   = "2026-12-20"
  until  = "2026-12-10" # ERROR: Invalid freeze span
  reason = "year end"
}

freeze "no_reason" { # ERROR: Missing required argument
  from  = "2026-12-20"
  until = "2027-01-04"
}

freeze "bad_from" {
  from    = "soon" # ERROR: Invalid date
  until   = "2027-01-04"
  reason  = "year end"
  targets = [host.web_2] # ERROR: Reference to undeclared host
}

freeze "backwards" { # ERROR: Duplicate freeze "backwards"
  from   = "2026-12-20"
  until  = "2027-01-04"
  reason = "again"
}

policy "twice" {
  provider = "apt"
  targets  = [host.web_1]
  approve {}
  window = [window.weekend, window.weekend] # ERROR: Duplicate window
  suspend {
    until = "next year" # ERROR: Invalid date
    reason = "audit"
  }
  suspend { # ERROR: Duplicate suspend block
    until  = "2026-12-31"
    reason = "audit"
  }
  hook "before" { # ERROR: Unknown hook phase
    argv = ["true"]
  }
  hook "pre" {
    argv    = [] # ERROR: Empty command
    timeout = "0s" # ERROR: Invalid timeout
  }
}

policy "none" {
  provider = "apt"
  targets  = [host.db_1]
  approve {}
  window = [] # ERROR: Empty window list
}

policy "typo" {
  provider = "apt"
  targets  = [host.db_2]
  approve {}
  window = [window.weekend, window.weekends] # ERROR: Reference to undeclared window
}
