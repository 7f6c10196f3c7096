host "win_1" {
  address = "10.0.0.7"
  ssh {
    shell = "bash" # ERROR: Invalid value
  }
}

host "win_2" {
  address = "10.0.0.8"
  ssh {
    shell = "cmd"
    sudo  = true # ERROR: Sudo needs a POSIX shell
  }
}
