# Globex Corporation, New York: two Windows file servers, two Remote Desktop
# Session Hosts, and a Debian reverse proxy in front of the RDS web access.

host "globex_fs01" {
  transport = "ssh"
  address   = "fs01.ad.globex.example"
  ssh {
    user             = "svc-tend"
    identity_file    = "~/.ssh/tend_globex"
    known_hosts_file = "~/.ssh/known_hosts_msp"
  }
  labels = { client = "globex", env = "prod", os = "windows", role = "fileserver" }
}

host "globex_fs02" {
  transport = "ssh"
  address   = "fs02.ad.globex.example"
  ssh {
    user             = "svc-tend"
    identity_file    = "~/.ssh/tend_globex"
    known_hosts_file = "~/.ssh/known_hosts_msp"
  }
  labels = { client = "globex", env = "prod", os = "windows", role = "fileserver" }
}

host "globex_rds01" {
  transport = "ssh"
  address   = "rds01.ad.globex.example"
  ssh {
    user             = "svc-tend"
    identity_file    = "~/.ssh/tend_globex"
    known_hosts_file = "~/.ssh/known_hosts_msp"
  }
  labels = { client = "globex", env = "prod", os = "windows", role = "rds" }
}

host "globex_rds02" {
  transport = "ssh"
  address   = "rds02.ad.globex.example"
  ssh {
    user             = "svc-tend"
    identity_file    = "~/.ssh/tend_globex"
    known_hosts_file = "~/.ssh/known_hosts_msp"
  }
  labels = { client = "globex", env = "prod", os = "windows", role = "rds" }
}

# Reachable from the internet, so patched by policy "edge_security"
# (edge.tend.hcl). SSH listens on port 2222 there.
host "globex_edge_1" {
  transport = "ssh"
  address   = "203.0.113.10"
  ssh {
    user             = "tend"
    identity_file    = "~/.ssh/tend_globex"
    known_hosts_file = "~/.ssh/known_hosts_msp"
    port             = 2222
    sudo             = true
  }
  labels = { client = "globex", env = "prod", os = "linux", role = "edge", exposure = "internet" }
}

group "globex_windows" {
  match = { client = "globex", os = "windows" }
}

group "globex_rds" {
  match = { client = "globex", role = "rds" }
}
