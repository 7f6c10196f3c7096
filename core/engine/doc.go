// Package engine makes the plans of tend plan, apply and report: it loads
// the configuration (Load, which the daemon uses too), takes the inventory
// (a live scan through a provider session, snapshots from a directory, or
// the reports branch at a Git revision with the history the daemon
// recorded there) and runs the pure planner, also for the configuration at
// a base revision (PlanBase, for tend plan --base).
package engine
