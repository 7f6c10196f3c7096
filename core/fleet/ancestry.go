package fleet

import (
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// GitDescends is an Options.Descends over the Git repository at dir (a
// clone of the configuration repository, bare or not), opened at each call
// so commits fetched since are known. A commit the repository does not
// hold is an error: its place in history is unknown, so it is not taken
// for newer.
func GitDescends(dir string) func(commit, base string) (bool, error) {
	return func(commit, base string) (bool, error) {
		if commit == base {
			return true, nil
		}
		repo, err := git.PlainOpen(dir)
		if err != nil {
			return false, err
		}
		c, err := repo.CommitObject(plumbing.NewHash(commit))
		if err != nil {
			return false, fmt.Errorf("commit %s: %w", commit, err)
		}
		b, err := repo.CommitObject(plumbing.NewHash(base))
		if err != nil {
			return false, fmt.Errorf("commit %s: %w", base, err)
		}
		return b.IsAncestor(c)
	}
}
