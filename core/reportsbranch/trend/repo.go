package trend

import (
	"errors"
	"fmt"
	"slices"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/tend-sh/tend/core/internal/configrepo"
)

// ReadDir reads the history of the reports branch in the Git repository
// holding dir: of the revision rev when set, else of the local branch or,
// failing it, a remote's copy (origin's first, then the others by name).
// Without rev, no repository or no such branch is no history (nil), not
// an error.
func ReadDir(dir, rev, branch string) (*History, error) {
	repo, err := configrepo.Open(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) && rev == "" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if rev != "" {
		head, err := repo.Resolve(rev)
		if err != nil {
			return nil, fmt.Errorf("reports branch revision %s: %w", rev, err)
		}
		return Read(repo.Repository, head, 0)
	}
	refs := []plumbing.ReferenceName{plumbing.NewBranchReferenceName(branch), plumbing.NewRemoteReferenceName("origin", branch)}
	remotes, err := repo.Remotes()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range remotes {
		names = append(names, r.Config().Name)
	}
	for _, n := range slices.Sorted(slices.Values(names)) {
		refs = append(refs, plumbing.NewRemoteReferenceName(n, branch))
	}
	for _, name := range refs {
		if ref, err := repo.Reference(name, true); err == nil {
			return Read(repo.Repository, ref.Hash(), 0)
		}
	}
	return nil, nil
}
