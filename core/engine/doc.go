// Package engine is the glue between tend's pure parts and the world, for
// the CLI and the daemon: it loads the configuration, locks and starts the
// providers, scans hosts through their transports, plans, applies (rings,
// parallelism, failure limits, health checks, reboots), saves and checks
// plan files, validates provider configuration, and reads the history
// recorded on the reports branch. The planner stays pure; the I/O for it
// lives here. (Splitting this package by concept is planned.)
package engine
