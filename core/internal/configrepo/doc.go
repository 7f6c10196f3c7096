// Package configrepo opens the Git repository that holds a configuration
// directory and reads its trees at a revision, without touching the work
// tree: for the commit a plan records, the configuration at a base
// revision, the reports branch read as a revision, and the repository
// reports are committed to.
package configrepo
