// Package engine wires the pure parts together for the CLI: load the
// configuration, read an inventory, call the planner, save and load plan
// files. It is where tend's I/O for planning lives, so commands stay thin
// and the planner stays pure.
package engine
