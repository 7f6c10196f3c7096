host "web_1" {
  transport = "local"
}

host "web_1" { # ERROR: Duplicate host "web_1"
  transport = "local"
}

group "web" {
  match = { role = "web" }
}

group "web" { # ERROR: Duplicate group "web"
  match = { role = "web" }
}

tend {
}

tend { # ERROR: Duplicate tend block
}
