// Package session holds what one tend command (or one reconcile of the
// daemon) opens to reach the fleet: the provider plugins its policies use,
// started once each against the checksums of the lock file and configured
// from their provider blocks, and one connection per host through its
// transport (local or SSH). Scan scans hosts through it, Resolve asks a
// provider which transaction a host's actions would be, and
// ValidateProviders asks providers to check their settings and pins for
// tend validate.
package session
