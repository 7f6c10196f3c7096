# Host lists must stay inside the configuration directory: an absolute path
# or a ".." that climbs out of it is refused before anything is read.
hosts "absolute" {
  file = "/etc/passwd" # ERROR: Host list outside the configuration directory
}

hosts "climbs_out" {
  file = "../../../../../../../../proc/self/environ" # ERROR: Host list outside the configuration directory
}

hosts "back_in_and_out" {
  file = "sub/../../valid/hosts.json" # ERROR: Host list outside the configuration directory
}
