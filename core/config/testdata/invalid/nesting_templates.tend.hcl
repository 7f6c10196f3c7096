# Strings inside interpolations inside strings nest too; brackets inside
# plain strings and comments do not count ([[[[ ]]]] # [[[[).
tend {
  reports_branch = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
}

host "a" {
  transport = "${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${"${""}" # ERROR: Configuration nested too deeply
}
