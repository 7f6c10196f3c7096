package reportsbranch

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Tree is the reports branch as last fetched: files are read on demand.
type Tree struct {
	// Head is the branch's commit; zero when the branch does not exist yet.
	Head plumbing.Hash
	tree *object.Tree
}

// Fetch fetches branch from remote into the repository at repoPath and
// returns the remote branch's tree. A remote without the branch gives an
// empty Tree, not an error. With remote "", the local branch is read.
func Fetch(ctx context.Context, repoPath, remote, branch string, opts ...Option) (*Tree, error) {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	repo, err := git.PlainOpen(repoPath)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", repoPath, err)
	}
	var head *plumbing.Hash
	local := plumbing.NewBranchReferenceName(branch)
	if remote == "" {
		ref, err := repo.Storer.Reference(local)
		switch {
		case errors.Is(err, plumbing.ErrReferenceNotFound):
		case err != nil:
			return nil, fmt.Errorf("read %s: %w", local, err)
		default:
			h := ref.Hash()
			head = &h
		}
	} else if head, err = fetch(ctx, repo, remote, local, plumbing.NewRemoteReferenceName(remote, branch), o.auth); err != nil {
		return nil, err
	}
	if head == nil {
		return &Tree{}, nil
	}
	c, err := repo.CommitObject(*head)
	if err != nil {
		return nil, fmt.Errorf("reports branch %s at %s: %w", branch, head.String()[:12], err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("reports branch %s at %s: %w", branch, head.String()[:12], err)
	}
	return &Tree{Head: *head, tree: t}, nil
}

// At returns the tree of a revision (a branch such as origin/tend/reports,
// a tag or a commit) of the Git repository holding dir, without fetching.
func At(dir, rev string) (*Tree, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, fmt.Errorf("%s is not in a Git repository: %w", dir, err)
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, err
	}
	c, err := repo.CommitObject(*hash)
	if err != nil {
		return nil, err
	}
	t, err := c.Tree()
	if err != nil {
		return nil, err
	}
	return &Tree{Head: *hash, tree: t}, nil
}

// File returns the content of a slash-separated path; ok is false when the
// branch or the file does not exist.
func (t *Tree) File(path string) (data []byte, ok bool, err error) {
	if t == nil || t.tree == nil {
		return nil, false, nil
	}
	f, err := t.tree.File(path)
	if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reports branch: %s: %w", path, err)
	}
	r, err := f.Reader()
	if err != nil {
		return nil, false, fmt.Errorf("reports branch: %s: %w", path, err)
	}
	defer r.Close()
	data, err = io.ReadAll(r)
	if err != nil {
		return nil, false, fmt.Errorf("reports branch: %s: %w", path, err)
	}
	return data, true, nil
}

// Names lists the entries of a directory of the branch ("" for the root),
// sorted; none when it does not exist.
func (t *Tree) Names(dir string) ([]string, error) {
	if t == nil || t.tree == nil {
		return nil, nil
	}
	d := t.tree
	if dir != "" {
		var err error
		if d, err = t.tree.Tree(dir); err != nil {
			if errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
				return nil, nil
			}
			return nil, fmt.Errorf("reports branch: %s: %w", dir, err)
		}
	}
	names := make([]string, 0, len(d.Entries))
	for _, e := range d.Entries {
		names = append(names, e.Name)
	}
	return names, nil
}
