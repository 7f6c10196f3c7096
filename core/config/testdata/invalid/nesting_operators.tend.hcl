# Operators nest as deep as brackets do in the parser: a chain of them counts.
tend {
  reports_branch = !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"x" # ERROR: Configuration nested too deeply
}
