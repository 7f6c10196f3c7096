package reportsbranch

import (
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// CommitOnto writes a commit whose tree is parent's with files replaced or
// added, into the object store, and moves no ref: the caller decides where
// it goes (tend advise proposes it on a new branch). The work tree is not
// touched.
func CommitOnto(s storer.Storer, parent plumbing.Hash, files Files, c Commit) (plumbing.Hash, error) {
	h, _, err := build(s, &parent, files, c)
	return h, err
}
