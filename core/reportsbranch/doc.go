// Package reportsbranch is the reports branch of DESIGN.md section 6: its
// layout (layout.go names every file), reading it as last fetched or at a
// revision, and committing report files to it and pushing them, using
// go-git plumbing only: blobs, trees and commits are written straight into
// the object store and the branch ref is moved with a compare-and-swap. No
// work tree or index is ever read or written, and pushes are never forced
// ("Reports committed back").
package reportsbranch
