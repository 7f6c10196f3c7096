package reportsbranch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/internal/configrepo"
)

// Tree is the reports branch as last fetched: files are read on demand.
type Tree struct {
	// Head is the branch's commit; zero when the branch does not exist yet.
	Head plumbing.Hash
	// Remote is the remote's head as last fetched (zero: none). It differs
	// from Head when Local found commits not pushed yet.
	Remote plumbing.Hash
	tree   *object.Tree

	// dirs caches the directories looked up so far by path ("" is not
	// kept): a fleet's reports are read host by host, and go-git would
	// decode the hosts directory again for every file.
	mu   sync.Mutex
	dirs map[string]*object.Tree
}

// subtree returns the directory at dir ("" the root), decoding each
// directory on the way once per Tree.
func (t *Tree) subtree(dir string) (*object.Tree, error) {
	if dir == "" {
		return t.tree, nil
	}
	t.mu.Lock()
	d, ok := t.dirs[dir]
	t.mu.Unlock()
	if ok {
		return d, nil
	}
	parentDir, name := "", dir
	if i := strings.LastIndexByte(dir, '/'); i >= 0 {
		parentDir, name = dir[:i], dir[i+1:]
	}
	parent, err := t.subtree(parentDir)
	if err != nil {
		return nil, err
	}
	if d, err = parent.Tree(name); err != nil {
		return nil, err
	}
	t.mu.Lock()
	if t.dirs == nil {
		t.dirs = map[string]*object.Tree{}
	}
	t.dirs[dir] = d
	t.mu.Unlock()
	return d, nil
}

// split returns the directory holding path and the name in it.
func (t *Tree) split(path string) (*object.Tree, string, error) {
	dir, name := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir, name = path[:i], path[i+1:]
	}
	d, err := t.subtree(dir)
	return d, name, err
}

// notFound reports whether err says a path is not on the tree.
func notFound(err error) bool {
	return errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound)
}

// BlobHash returns the object hash of the file at a slash-separated path;
// ok is false when the branch or the file does not exist (or it is a
// directory).
func (t *Tree) BlobHash(path string) (hash plumbing.Hash, ok bool, err error) {
	if t == nil || t.tree == nil {
		return plumbing.ZeroHash, false, nil
	}
	d, name, err := t.split(path)
	if notFound(err) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("reports branch: %s: %w", path, err)
	}
	e, err := d.FindEntry(name)
	if notFound(err) || (err == nil && !e.Mode.IsFile()) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("reports branch: %s: %w", path, err)
	}
	return e.Hash, true, nil
}

// Unpushed reports whether Head holds commits the remote does not have.
func (t *Tree) Unpushed() bool { return t != nil && t.Head != t.Remote }

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
	return treeAt(repo, branch, *head, *head)
}

func treeAt(repo *git.Repository, branch string, head, remote plumbing.Hash) (*Tree, error) {
	c, err := repo.CommitObject(head)
	if err != nil {
		return nil, fmt.Errorf("reports branch %s at %s: %w", branch, commitid.Short(head.String()), err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("reports branch %s at %s: %w", branch, commitid.Short(head.String()), err)
	}
	return &Tree{Head: head, Remote: remote, tree: t}, nil
}

// unpushedDepth bounds the search for the remote head below the local
// branch: Sync leaves at most one commit on top of it.
const unpushedDepth = 16

// Local returns the newest copy of branch in the repository at repoPath,
// without the network: the local branch when it is the remote-tracking
// ref (refs/remotes/<remote>/<branch>, as the last Fetch or Sync left it)
// with commits of ours on top, not pushed yet (Sync commits before it
// pushes), else the remote-tracking ref. Neither gives an empty Tree.
func Local(repoPath, remote, branch string) (*Tree, error) {
	repo, err := git.PlainOpen(repoPath)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", repoPath, err)
	}
	local, err := refHash(repo, plumbing.NewBranchReferenceName(branch))
	if err != nil {
		return nil, err
	}
	tracking, err := refHash(repo, plumbing.NewRemoteReferenceName(remote, branch))
	if err != nil {
		return nil, err
	}
	switch {
	case local.IsZero() && tracking.IsZero():
		return &Tree{}, nil
	case local.IsZero() || local == tracking:
		return treeAt(repo, branch, tracking, tracking)
	case tracking.IsZero() || onTopOf(repo, local, tracking):
		return treeAt(repo, branch, local, tracking)
	default: // the remote moved on (another writer): ours is rebuilt on it
		return treeAt(repo, branch, tracking, tracking)
	}
}

// refHash returns the ref's commit, zero when it does not exist.
func refHash(repo *git.Repository, name plumbing.ReferenceName) (plumbing.Hash, error) {
	ref, err := repo.Storer.Reference(name)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read %s: %w", name, err)
	}
	return ref.Hash(), nil
}

// onTopOf reports whether base is among the first unpushedDepth
// first-parent ancestors of h.
func onTopOf(repo *git.Repository, h, base plumbing.Hash) bool {
	for range unpushedDepth {
		c, err := repo.CommitObject(h)
		if err != nil || len(c.ParentHashes) == 0 {
			return false
		}
		h = c.ParentHashes[0]
		if h == base {
			return true
		}
	}
	return false
}

// At returns the tree of a revision (a branch such as origin/tend/reports,
// a tag or a commit) of the Git repository holding dir, without fetching.
func At(dir, rev string) (*Tree, error) {
	repo, err := configrepo.Open(dir)
	if err != nil {
		return nil, err
	}
	hash, err := repo.Resolve(rev)
	if err != nil {
		return nil, err
	}
	t, err := repo.Tree(hash, ".")
	if err != nil {
		return nil, err
	}
	return &Tree{Head: hash, Remote: hash, tree: t}, nil
}

// MaxFile bounds what File reads of one file, in bytes (64 MiB): reports,
// rollout states and snapshots are far smaller, and a hostile push to the
// reports branch must not make tend read without end.
const MaxFile = 64 << 20

// File returns the content of a slash-separated path; ok is false when the
// branch or the file does not exist. A file over MaxFile is an error
// wrapping ErrTooLarge.
func (t *Tree) File(path string) (data []byte, ok bool, err error) {
	return t.FileMax(path, MaxFile)
}

// read returns the content of path, unbounded.
func (t *Tree) read(path string) (data []byte, ok bool, err error) {
	if t == nil || t.tree == nil {
		return nil, false, nil
	}
	d, name, err := t.split(path)
	if notFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reports branch: %s: %w", path, err)
	}
	f, err := d.File(name)
	if notFound(err) {
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

// ErrTooLarge is the error (wrapped) of FileMax for a file over its limit.
var ErrTooLarge = errors.New("file too large")

// FileMax is File for a file of at most max bytes: a larger one is an
// error wrapping ErrTooLarge, found from the object's size before its
// content is read.
func (t *Tree) FileMax(path string, max int64) (data []byte, ok bool, err error) {
	if t == nil || t.tree == nil {
		return nil, false, nil
	}
	// Errors (no such file) are read's to report.
	d, name, err := t.split(path)
	if err != nil {
		return t.read(path)
	}
	if size, err := d.Size(name); err == nil && size > max {
		return nil, false, fmt.Errorf("reports branch: %s: %d bytes, more than %d MiB: %w", path, size, max>>20, ErrTooLarge)
	}
	return t.read(path)
}

// Names lists the entries of a directory of the branch ("" for the root),
// sorted; none when it does not exist.
func (t *Tree) Names(dir string) ([]string, error) {
	if t == nil || t.tree == nil {
		return nil, nil
	}
	d, err := t.subtree(dir)
	if err != nil {
		if notFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reports branch: %s: %w", dir, err)
	}
	names := make([]string, 0, len(d.Entries))
	for _, e := range d.Entries {
		names = append(names, e.Name)
	}
	return names, nil
}
