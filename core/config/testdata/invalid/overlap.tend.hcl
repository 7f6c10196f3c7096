host "web_1" {
  transport = "local"
  labels    = { role = "web" }
}

group "web" {
  match = { role = "web" }
}

policy "a" {
  provider = "apt"
  targets  = [host.web_1]
  approve {}
}

policy "b" {
  provider = "apt"
  targets  = [group.web] # ERROR: Host in two policies
  approve {}
}

policy "c" {
  provider = "winget"
  targets  = [group.web]
  approve {}
}
