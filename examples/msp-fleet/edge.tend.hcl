# Every client's internet-facing Linux hosts (label exposure = "internet")
# share one apt policy, so a hole that is exploited from the internet can be
# closed on all of them with a single pull request.
#
# No other apt policy may target these hosts: a host has at most one policy
# per provider. The clients' own groups therefore select on role, and the
# edge hosts have roles of their own ("edge", "gateway").

group "internet_facing" {
  match = { exposure = "internet" }
}

policy "edge_security" {
  provider = "apt"
  targets  = [group.internet_facing]

  # Security updates, without delay.
  approve {
    classification = ["security"]
  }

  window = window.weeknights_ny

  # Switched on 2026-11-21 for CVE-2026-39417, a pre-authentication hole in
  # sshd that is being exploited: security updates go out now, window or
  # not. Switch it off again once both hosts report openssh-server
  # 1:9.2p1-2+deb12u11.
  emergency = true
  reboot    = "if_needed"

  # Losing sshd on an edge host means a trip to the data centre.
  health_check "command" {
    argv    = ["systemctl", "is-active", "--quiet", "ssh"]
    timeout = "30s"
  }
}
