package advise

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"time"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/tend-sh/tend/core/internal/configrepo"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// Repo is the Git repository of a configuration directory, where advisory
// branches are made. Nothing here touches the work tree, the index or the
// checked-out branch.
type Repo struct {
	repo *configrepo.Repo
	// rel is the configuration directory's path in the work tree.
	rel string
	// Head is the checked-out commit advisories are made on.
	Head plumbing.Hash
}

// OpenRepo opens the repository holding the configuration directory dir.
func OpenRepo(dir string) (*Repo, error) {
	r, err := configrepo.Open(dir)
	if err != nil {
		return nil, err
	}
	_, rel, err := r.WorkTree()
	if err != nil {
		return nil, err
	}
	head, err := r.Resolve("HEAD")
	if err != nil {
		return nil, fmt.Errorf("HEAD: %w (tend advise commits on top of the checked-out commit)", err)
	}
	return &Repo{repo: r, rel: rel, Head: head}, nil
}

// Path is file's path in the repository.
func (r *Repo) Path(file string) string { return path.Join(r.rel, file) }

// BranchExists reports whether branch exists locally or as remote's
// remote-tracking branch, and which ref it found.
func (r *Repo) BranchExists(branch, remote string) (string, bool) {
	for _, n := range []plumbing.ReferenceName{plumbing.NewBranchReferenceName(branch), plumbing.NewRemoteReferenceName(remote, branch)} {
		if _, err := r.repo.Reference(n, false); err == nil {
			return n.Short(), true
		}
	}
	return "", false
}

// Commit writes a commit of HEAD's tree plus file (in the configuration
// directory) with message, and moves no ref.
func (r *Repo) Commit(file string, content []byte, message string, now time.Time) (plumbing.Hash, error) {
	return reportsbranch.CommitOnto(r.repo.Storer, r.Head, reportsbranch.Files{r.Path(file): content},
		reportsbranch.Commit{Message: message, Author: r.author(now)})
}

// CreateBranch points the new branch at commit; an existing branch is an
// error, never moved.
func (r *Repo) CreateBranch(branch string, commit plumbing.Hash) error {
	name := plumbing.NewBranchReferenceName(branch)
	if _, err := r.repo.Reference(name, false); err == nil {
		return fmt.Errorf("branch %s exists", branch)
	}
	if err := r.repo.Storer.SetReference(plumbing.NewHashReference(name, commit)); err != nil {
		return fmt.Errorf("create branch %s: %w", branch, err)
	}
	return nil
}

// Push pushes branch to remote (never forced).
func (r *Repo) Push(ctx context.Context, remote, branch string) error {
	ref := plumbing.NewBranchReferenceName(branch).String()
	err := r.repo.PushContext(ctx, &git.PushOptions{RemoteName: remote, RefSpecs: []gitconfig.RefSpec{gitconfig.RefSpec(ref + ":" + ref)}})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("push %s to %s: %w", branch, remote, err)
	}
	return nil
}

// author is GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, else Git's configured
// user (the repository's, then the global one), else "tend advise".
func (r *Repo) author(now time.Time) object.Signature {
	sig := object.Signature{Name: "tend advise", Email: "tend@localhost", When: now}
	for _, scope := range []gitconfig.Scope{gitconfig.GlobalScope, gitconfig.LocalScope} {
		c, err := r.repo.ConfigScoped(scope)
		if err != nil {
			continue
		}
		if c.User.Name != "" {
			sig.Name = c.User.Name
		}
		if c.User.Email != "" {
			sig.Email = c.User.Email
		}
	}
	if v := os.Getenv("GIT_AUTHOR_NAME"); v != "" {
		sig.Name = v
	}
	if v := os.Getenv("GIT_AUTHOR_EMAIL"); v != "" {
		sig.Email = v
	}
	return sig
}
