package configrepo

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Repo is the Git repository holding a configuration directory.
type Repo struct {
	*git.Repository
	// dir is the directory as the caller named it, for messages.
	dir string
}

// Open opens the Git repository holding dir: dir itself or the nearest
// parent with a .git.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	repo, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, fmt.Errorf("%s is not in a Git repository: %w", dir, err)
	}
	return &Repo{Repository: repo, dir: dir}, nil
}

// WorkTree returns the root of the repository's work tree and the
// directory's path in it, slash-separated ("." for the root), both with
// symbolic links resolved. A directory outside the work tree is an error.
func (r *Repo) WorkTree() (root, rel string, err error) {
	wt, err := r.Worktree()
	if err != nil {
		return "", "", err
	}
	if root, err = filepath.EvalSymlinks(wt.Filesystem.Root()); err != nil {
		return "", "", err
	}
	abs, err := filepath.Abs(r.dir)
	if err != nil {
		return "", "", err
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return "", "", err
	}
	rel, err = filepath.Rel(root, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", "", fmt.Errorf("%s is outside the repository at %s", r.dir, root)
	}
	return root, filepath.ToSlash(rel), nil
}

// Resolve returns the commit a revision (a branch such as origin/main, a
// tag, a commit) names.
func (r *Repo) Resolve(rev string) (plumbing.Hash, error) {
	h, err := r.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return *h, nil
}

// Tree returns the tree of the slash-separated directory dir ("." for the
// root) in commit h. A missing directory is object.ErrDirectoryNotFound.
func (r *Repo) Tree(h plumbing.Hash, dir string) (*object.Tree, error) {
	c, err := r.CommitObject(h)
	if err != nil {
		return nil, err
	}
	tree, err := c.Tree()
	if err != nil || dir == "." {
		return tree, err
	}
	return tree.Tree(dir)
}

// Commit returns the commit checked out in the Git repository holding dir,
// or "" when dir is not in a repository or not tracked in that commit (an
// ignored directory inside some other repository).
func Commit(dir string) string {
	repo, err := Open(dir)
	if err != nil {
		return ""
	}
	head, err := repo.Head()
	if err != nil {
		return ""
	}
	_, rel, err := repo.WorkTree()
	if err != nil {
		return ""
	}
	if _, err := repo.Tree(head.Hash(), rel); err != nil {
		return ""
	}
	return head.Hash().String()
}

// Uncommitted reports whether the configuration in the work tree differs
// from HEAD: one of the files it was read from (sources, paths as the
// loader named them) is changed, staged or untracked, or a *.tend.hcl
// below dir that HEAD has was deleted, or a new one is untracked. Other
// files (notes, tend's own dir/.tend) do not count. False when dir is not
// in a repository with a commit, or Git's status cannot be read.
func Uncommitted(dir string, sources []string) bool {
	repo, err := Open(dir)
	if err != nil {
		return false
	}
	if _, err := repo.Head(); err != nil {
		return false
	}
	root, rel, err := repo.WorkTree()
	if err != nil {
		return false
	}
	read := map[string]bool{}
	for _, src := range sources {
		abs, err := filepath.Abs(src)
		if err != nil {
			continue
		}
		if resolved, err := filepath.EvalSymlinks(abs); err == nil {
			abs = resolved
		}
		if r, err := filepath.Rel(root, abs); err == nil {
			read[filepath.ToSlash(r)] = true
		}
	}
	wt, err := repo.Worktree()
	if err != nil {
		return false
	}
	st, err := wt.Status()
	if err != nil {
		return false
	}
	prefix := ""
	if rel != "." {
		prefix = rel + "/"
	}
	for path, fs := range st {
		if fs.Staging == git.Unmodified && fs.Worktree == git.Unmodified {
			continue
		}
		if read[path] {
			return true
		}
		if strings.HasPrefix(path, prefix) && !strings.HasPrefix(path, prefix+".tend/") && strings.HasSuffix(path, ".tend.hcl") {
			return true
		}
	}
	return false
}
