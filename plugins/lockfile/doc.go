// Package lockfile owns the lock file .tend.lock.hcl that tend init writes
// beside the configuration: its format (each provider's version, protocol
// and sha256 of its binary), tend init's part that finds, checks and locks
// the providers the policies use, and the check that the lock file records
// all of them. Launching a provider against its locked checksum is the
// loader's (plugins/loader).
package lockfile
