// Package transport holds what tend's transports (local, ssh) share: the
// limit on how much one command may print, and the error for a command
// that printed more.
package transport
