# Patch what is being exploited now: security updates wait for the weekend
# window, except those that fix a CVE in CISA's Known Exploited
# Vulnerabilities catalog, which go at once (the fast lane). A KEV fix still
# missing 14 days after its release, or after CISA's due date, is overdue.

tend {
  required_providers {
    apt = ">= 0.1.0"
  }
}

provider "apt" {}

host "web_1" {
  transport = "local"
  labels    = { env = "prod" }
}

window "weekend" {
  schedule = "0 22 * * SAT"
  duration = "6h"
  timezone = "Europe/Berlin"
}

# The feeds, as files in this directory so the example plans offline. In
# production point them at the sources and run tend feeds update (or let
# tend serve fetch them):
#   https://security-tracker.debian.org/tracker/data/json
#   https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json
#   https://epss.empiricalsecurity.com/epss_scores-current.csv.gz
feed "debian" {
  type = "debian-tracker"
  file = "feeds/debian-tracker.json"
}

feed "osv" {
  type = "osv"
  file = "feeds/osv-debian.json"
}

feed "kev" {
  type = "kev"
  file = "feeds/kev.json"
}

feed "epss" {
  type = "epss"
  file = "feeds/epss.csv"
}

policy "linux" {
  provider = "apt"
  targets  = [host.web_1]
  window   = window.weekend
  reboot   = "never"

  approve {
    classification = ["security"]
  }

  fast_lane {
    kev = true
  }

  deadline {
    kev    = true
    within = "14d"
  }
}
