# Initech, Hoboken: a small office. Two Debian servers run the TPS
# application (PHP); a Debian gateway does VPN and DNS; one Windows server
# does files, print and Active Directory.

# The Linux machines come from a list that initech's own inventory script
# exports: [{name, address, transport, labels}, …]. A host list has no ssh
# block: tend connects to these hosts with its SSH defaults.
hosts "initech_linux" {
  file = "hosts.json"
}

host "initech_srv01" {
  transport = "ssh"
  address   = "192.168.50.10"
  ssh {
    user             = "svc-tend"
    identity_file    = "~/.ssh/tend_initech"
    known_hosts_file = "~/.ssh/known_hosts_msp"
  }
  labels = { client = "initech", env = "prod", os = "windows", role = "server" }
}

# Not initech_gw: it is internet-facing (role "gateway") and patched by
# policy "edge_security" (edge.tend.hcl).
group "initech_apps" {
  match = { client = "initech", role = "app" }
}
