package history

import (
	"errors"
	"fmt"
	"slices"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/tend-sh/tend/core/internal/configrepo"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// ReadCopies reads Recorded from every copy of the reports branch in the
// Git repository holding dir, without fetching: the local branch (tend
// report --commit writes it) and each remote's tracking branch (where git
// fetch leaves what tend serve pushed). A directory outside a Git
// repository, or a repository without the branch, has none.
func ReadCopies(dir, branch string) ([]*Recorded, error) {
	repo, err := configrepo.Open(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	refs := []plumbing.ReferenceName{plumbing.NewBranchReferenceName(branch)}
	remotes, err := repo.Remotes()
	if err != nil {
		return nil, fmt.Errorf("listing the remotes of the repository holding %s: %w", dir, err)
	}
	var names []string
	for _, r := range remotes {
		names = append(names, r.Config().Name)
	}
	for _, name := range slices.Sorted(slices.Values(names)) {
		refs = append(refs, plumbing.NewRemoteReferenceName(name, branch))
	}
	var out []*Recorded
	for _, ref := range refs {
		if _, err := repo.Reference(ref, true); errors.Is(err, plumbing.ErrReferenceNotFound) {
			continue
		}
		t, err := reportsbranch.At(dir, ref.String())
		if err != nil {
			return nil, fmt.Errorf("reports branch %s: %w", ref.Short(), err)
		}
		rec, err := Read(t)
		if err != nil {
			return nil, fmt.Errorf("reports branch %s: %w", ref.Short(), err)
		}
		out = append(out, rec)
	}
	return out, nil
}
