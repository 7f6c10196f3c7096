// Package daemon is tend serve's reconcile loop (DESIGN.md section 6): on a
// timer or a webhook it fetches the configuration repository, verifies and
// loads the head commit (a broken or unverified head is reported and the
// last good configuration keeps governing), scans the hosts, plans, applies
// what is due through the apply journal, re-scans what changed, and commits
// the reports layout to the reports branch.
//
// A reconcile runs its steps in order (fetch, load with verification,
// history, scan, apply, report); a failure is a *StepError naming its
// step, so logs, metrics and /readyz say where it stopped.
package daemon
