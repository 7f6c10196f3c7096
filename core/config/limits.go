package config

// Limits on what a configuration may make tend read and parse. A commit
// that exceeds one is rejected with a diagnostic, like any other error, so
// a hostile or broken commit cannot exhaust the memory or the stack of the
// process that loads it (tend validate and plan on CI, the daemon).
const (
	// MaxFileSize is the largest *.tend.hcl file, in bytes (1 MiB).
	MaxFileSize = 1 << 20
	// MaxHostListSize is the largest host list (hosts "…" { file = … }),
	// in bytes (32 MiB, some 200,000 hosts).
	MaxHostListSize = 32 << 20
	// MaxTotalSize bounds all configuration files and host lists of one
	// configuration together, in bytes (64 MiB).
	MaxTotalSize = 64 << 20
	// MaxNestingDepth is how deep blocks, brackets, strings, interpolations
	// and operator chains may nest in a configuration file, and arrays and
	// objects in a host list.
	MaxNestingDepth = 64
)
