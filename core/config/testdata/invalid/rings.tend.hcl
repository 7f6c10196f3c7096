host "a" {
  transport = "local"
}

host "b" {
  transport = "local"
}

policy "p" {
  provider = "apt"
  targets  = [host.a]
  approve {}
  rollout {
    ring "one" {
      targets = [host.a]
    }
    ring "two" { # ERROR: Host in two rings
      targets = [host.a]
    }
    ring "three" { # ERROR: Ring host outside policy
      targets = [host.b]
    }
    ring "four" {
      percent = 50
    }
    ring "five" {
      percent = 20 # ERROR: Invalid percent
    }
  }
}
