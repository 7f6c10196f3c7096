host "web_1" { # ERROR: Unclosed configuration block
  transport = "local"
  labels = { env = "prod"
}
