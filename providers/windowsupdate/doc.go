// Package windowsupdate is the logic of tend's Windows Update provider: it
// runs embedded PowerShell scripts (scripts/scan.ps1, scripts/apply.ps1)
// over the Windows Update Agent COM API on the target through
// providers/internal/winscript, and maps the documents they print (the
// script contract of DESIGN.md section 5) to tend's inventory and action
// results.
//
// A package is an update, named by its first KB number (KB5044281), or by
// its update id when it has none; its version is that same name, in the
// opaque version scheme: KB numbers say nothing about order (a newer
// cumulative update supersedes an older one; the numbers only grow by
// accident), so tend compares them only for equality.
package windowsupdate
