# Maintenance windows (the time kind; the Microsoft kind is patched by the
# "windowsupdate" policies in clients/). A policy without a window may act at
# any time; a policy with emergency = true ignores its window.

# acme: Saturday 22:00 to Sunday 04:00, Berlin time. Nothing new starts
# after 03:00, so the last changes finish before the shop's Sunday traffic.
window "weekend_nights" {
  schedule = "0 22 * * SAT"
  duration = "6h"
  timezone = "Europe/Berlin"
  cutoff   = "1h"
}

# globex and the edge hosts: Monday to Thursday nights, 23:00 to 03:00,
# New York time.
window "weeknights_ny" {
  schedule = "0 23 * * 1-4"
  duration = "4h"
  timezone = "America/New_York"
  cutoff   = "30m"
}

# initech's Windows server: once a month, on the Thursday after Patch Tuesday
# (the second Tuesday of the month), 22:00 to 02:00 New York time.
window "after_patch_tuesday" {
  patch_tuesday_offset = "2d"
  start                = "22:00"
  duration             = "4h"
  timezone             = "America/New_York"
  cutoff               = "30m"
}
