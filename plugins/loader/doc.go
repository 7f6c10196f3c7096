// Package loader is tend's side of the provider protocol: it finds provider
// binaries, launches them with go-plugin (refusing a binary whose checksum
// differs from the one plugins/lockfile recorded), and offers their
// services as plain Go calls. While a provider scans or applies, the
// loader serves it the Exec callback that runs commands on the target host
// through an sdk.Runner (local or SSH), so providers never hold
// connections or credentials.
package loader
