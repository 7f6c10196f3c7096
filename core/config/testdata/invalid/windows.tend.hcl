window "both" {
  schedule             = "0 22 * * SAT"
  patch_tuesday_offset = "2d" # ERROR: Conflicting window kinds
  duration             = "4h"
}

window "no_start" { # ERROR: Missing start
  patch_tuesday_offset = "2d"
  duration             = "4h"
}

window "half_day" {
  patch_tuesday_offset = "36h" # ERROR: Invalid offset
  start                = "25:00" # ERROR: Invalid start
  duration             = "4h"
}

window "cutoff" {
  schedule = "0 22 * * SAT"
  duration = "1h"
  cutoff   = "2h" # ERROR: Invalid cutoff
}

window "nothing" { # ERROR: Missing schedule
  duration = "1h"
}

window "no_duration" { # ERROR: Missing required argument
  schedule = "0 22 * * SAT"
}

window "never" {
  schedule = "0 0 31 2 *" # ERROR: Invalid cron schedule
  duration = "1h"
}
