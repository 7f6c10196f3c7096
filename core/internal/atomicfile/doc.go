// Package atomicfile replaces files so that a reader, or a crash, never
// leaves half of one behind: write a temporary file beside the target,
// fsync it, rename it over the target.
package atomicfile
