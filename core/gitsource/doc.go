// Package gitsource is the Git source of `tend serve` (DESIGN.md section 6):
// it keeps a bare clone of the configuration repository in the state
// directory, fetches the watched branch with go-git, waits for a commit a
// webhook announced, and exports the configuration tree of a commit to a
// directory the config loader reads.
//
// The clone has one remote, "origin", whose fetch refspec covers only the
// watched branch (+refs/heads/B:refs/remotes/origin/B, no tags), so the
// reports branch written by reportsbranch.Sync into the same clone is left
// alone. Authentication follows the URL: none for local paths and file://
// URLs, a token sent as HTTP basic auth for https://, and a private key or
// ssh-agent for ssh:// and user@host:path URLs, with host keys always
// checked against a known_hosts file.
package gitsource
