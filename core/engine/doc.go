// Package engine makes plans for tend plan, tend apply and the daemon: it
// loads the configuration, takes the inventory (a live scan through a
// provider session, snapshots from a directory, or the reports branch at a
// Git revision together with the history the daemon recorded there) and
// runs the pure planner, also for the configuration at a base revision
// (tend plan --base).
package engine
