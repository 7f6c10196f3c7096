# A second block of a name already taken is reported and not decoded: the
# mistakes inside it are not reported, and a second host list's file is not
# read. Hosts are the exception: they come from host blocks and host lists
# alike, so a host block is decoded first and its name checked after.
window "w" {
  schedule = "0 22 * * SAT"
  duration = "1h"
}

window "w" { # ERROR: Duplicate window "w"
  schedule = "0 25 * * SAT"
  duration = "-1h"
}

hosts "fleet" {
  file = "absent.json" # ERROR: Cannot read host list
}

hosts "fleet" { # ERROR: Duplicate hosts list "fleet"
  file = "also_absent.json"
}

host "h" {
  transport = "local"
}

host "h" { # ERROR: Duplicate host "h"
  transport = "telnet" # ERROR: Invalid value
}
