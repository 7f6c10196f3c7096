// Package plandiff compares two plans of the same fleet, made from the same
// inventory and time: the plan of a base configuration (the main branch) and
// the plan of a change to it (a pull request). What a reviewer needs is what
// the change does, update by update: which actions it adds or removes, which
// updates it defers, skips or releases.
//
// Diff is pure and deterministic, like the planner.
package plandiff
