host "web" {
  transport = "local"
}

feed "debian" {
  type = "debian-tracker"
  url  = "http://security-tracker.debian.org/tracker/data/json" # ERROR: Invalid feed URL
}

feed "kev" { # ERROR: Feed needs url or file
  type = "kev"
}

feed "both" { # ERROR: Feed needs url or file
  type = "epss"
  url  = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
  file = "feeds/epss.csv"
}

feed "nvd" {
  type    = "nvd" # ERROR: Invalid value
  file    = "nvd.json"
  refresh = "10s" # ERROR: Invalid refresh
}

policy "p" {
  provider = "apt"
  targets  = [host.web]
  approve {
    cves = ["CVE-2024-3094", "xz-backdoor"] # ERROR: Invalid CVE ID
    cvss = ">= 11" # ERROR: Invalid cvss threshold
    epss = "high" # ERROR: Invalid epss threshold
    kev  = "yes" # ERROR: Incorrect attribute value type
  }
  fast_lane { # ERROR: Empty fast_lane
  }
  fast_lane { # ERROR: Duplicate fast_lane block
    kev = true
  }
  deadline {
    kev    = true
    within = "36h" # ERROR: Invalid deadline
  }
}

feed "debian" { # ERROR: Duplicate feed "debian"
  type = "debian-tracker"
  file = "tracker.json"
}

feed "local" {
  type = "kev"
  file = "../../etc/kev.json" # ERROR: Feed file outside the configuration
}
