// Package apply carries out a plan's actions through a provider session:
// policy by policy, ring by ring, at most max_parallel hosts at once,
// halting a rollout beyond max_failures, stopping at a window's cutoff,
// waiting for hosts to come back from reboots, and running the policy's
// health checks after a host's changes.
package apply
