// Package savedplan writes and reads plan files (tend plan -out, tend apply
// FILE, tend show FILE) and refuses a saved plan gone stale: one whose
// configuration changed, or whose hosts were scanned again, since it was
// made.
package savedplan
