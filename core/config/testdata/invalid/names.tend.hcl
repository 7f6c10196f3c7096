# Names are ASCII letters, digits, "_" and "-", starting with a letter, so a
# look-alike or invisible character cannot pass for a real name in reports.
host "wеb_1" { # ERROR: Invalid name
  transport = "local"
}

host "web_1​" { # ERROR: Invalid name
  transport = "local"
}

host "web\u200d_2" { # ERROR: Invalid name
  transport = "local"
}

host "db_1" {
  transport = "local"
  labels = {
    "rоle" = "db"  # ERROR: Invalid label
    env       = "pr​od" # ERROR: Invalid label
  }
}

group "аcme" { # ERROR: Invalid name
  match = { client = "acme" }
}

window "nïght" { # ERROR: Invalid name
  schedule = "0 22 * * SAT"
  duration = "6h"
}

provider "аpt" { # ERROR: Invalid name
}

policy "sеcurity" { # ERROR: Invalid name
  provider = "apt"
  targets  = [host.db_1]
}

policy "staged" {
  provider = "apt"
  targets  = [host.db_1]
  rollout {
    ring "cаnary" { # ERROR: Invalid name
      percent = 10
    }
    ring "with space" { # ERROR: Invalid name
      percent = 100
    }
  }
}
