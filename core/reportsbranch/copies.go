package reportsbranch

import (
	"errors"
	"fmt"
	"slices"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/tend-sh/tend/core/internal/configrepo"
)

// Copy is one copy of the reports branch in a repository: Name is its
// short ref name (tend/reports, origin/tend/reports).
type Copy struct {
	Name string
	Tree *Tree
}

// Copies opens every copy of branch in the Git repository holding dir,
// without fetching: the local branch (tend report --commit writes it),
// then each remote's tracking branch by remote name (where git fetch
// leaves what tend serve pushed). A directory outside a Git repository,
// or a repository without the branch, has none.
func Copies(dir, branch string) ([]Copy, error) {
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
	slices.Sort(names)
	for _, n := range names {
		refs = append(refs, plumbing.NewRemoteReferenceName(n, branch))
	}
	var out []Copy
	for _, ref := range refs {
		if _, err := repo.Reference(ref, true); errors.Is(err, plumbing.ErrReferenceNotFound) {
			continue
		}
		t, err := At(dir, ref.String())
		if err != nil {
			return nil, fmt.Errorf("reports branch %s: %w", ref.Short(), err)
		}
		out = append(out, Copy{ref.Short(), t})
	}
	return out, nil
}
