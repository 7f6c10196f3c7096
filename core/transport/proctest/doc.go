// Package proctest helps tests watch real processes: how long to wait,
// reading the pid a command wrote, and waiting until a process is gone.
package proctest
