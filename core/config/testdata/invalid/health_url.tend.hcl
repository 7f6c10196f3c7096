host "web_1" {
  address = "10.0.0.5"
}

policy "web" {
  provider = "apt"
  targets  = [host.web_1]
  approve {}
  health_check "http" {
    url = "http://${host.adress}/healthz" # ERROR: Unsupported attribute
  }
  health_check "http" {
    url = "http://${hots.address}/healthz" # ERROR: Unknown variable
  }
  health_check "http" {
    url = "ftp://${host.address}/healthz" # ERROR: Invalid URL
  }
  health_check "http" {
    url = "http://${host}/healthz" # ERROR: Invalid reference
  }
}
