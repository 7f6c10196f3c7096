// Package testfile writes the files tests set up (configurations, host
// lists, snapshots), creating their directories, and fails the test on an
// error.
package testfile
