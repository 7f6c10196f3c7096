# acme GmbH, Berlin: an online shop. Two nginx front ends, one PostgreSQL
# server and a domain controller. tend reaches all of them over SSH (the
# domain controller runs the OpenSSH server that ships with Windows).

host "acme_web_1" {
  transport = "ssh"
  address   = "10.10.0.11"
  ssh {
    user             = "tend"
    identity_file    = "~/.ssh/tend_acme"
    known_hosts_file = "~/.ssh/known_hosts_msp"
    sudo             = true
  }
  labels = { client = "acme", env = "prod", os = "linux", role = "web" }
}

host "acme_web_2" {
  transport = "ssh"
  address   = "10.10.0.12"
  ssh {
    user             = "tend"
    identity_file    = "~/.ssh/tend_acme"
    known_hosts_file = "~/.ssh/known_hosts_msp"
    sudo             = true
  }
  labels = { client = "acme", env = "prod", os = "linux", role = "web" }
}

host "acme_db_1" {
  transport = "ssh"
  address   = "10.10.0.21"
  ssh {
    user             = "tend"
    identity_file    = "~/.ssh/tend_acme"
    known_hosts_file = "~/.ssh/known_hosts_msp"
    sudo             = true
  }
  labels = { client = "acme", env = "prod", os = "linux", role = "db" }
}

host "acme_dc01" {
  transport = "ssh"
  address   = "dc01.corp.acme.example"
  ssh {
    user             = "svc-tend"
    identity_file    = "~/.ssh/tend_acme"
    known_hosts_file = "~/.ssh/known_hosts_msp"
  }
  labels = { client = "acme", env = "prod", os = "windows", role = "dc" }
}

group "acme_prod_web" {
  match = { client = "acme", env = "prod", role = "web" }
}

group "acme_prod_db" {
  match = { client = "acme", env = "prod", role = "db" }
}
