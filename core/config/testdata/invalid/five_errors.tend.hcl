# The acceptance case: five different mistakes, all reported in one run.
host "web_1" {
  transport = "local"
  lables = { env = "prod" } # ERROR: Unsupported argument
}

window "weekend" {
  schedule = "0 25 * * SAT" # ERROR: Invalid cron schedule
  duration = "6 hours" # ERROR: Invalid duration
  timezone = "Europe/Berlinn" # ERROR: Unknown time zone
}

policy "security" {
  provider = "apt"
  targets  = [host.web_2] # ERROR: Reference to undeclared host
  window   = window.weekend
  approve {
    classification = ["security"]
  }
}
