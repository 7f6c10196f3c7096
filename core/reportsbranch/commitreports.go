package reportsbranch

import (
	"context"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/internal/configrepo"
	"github.com/tend-sh/tend/core/model"
)

// CommitOptions say where reports go.
type CommitOptions struct {
	ConfigDir string
	Branch    string // the reports branch
	// Remote, when set, is pushed to (never forced; a non-fast-forward
	// push is rebuilt on top of the remote branch and retried).
	Remote string
	Now    time.Time
	// IfMissing holds files written only when the branch (the remote's,
	// with a remote) does not have them yet and files do not bring them.
	IfMissing Files
	// Blobs are files given by blob hash (Commit.Blobs): snapshots the
	// branch already holds byte for byte, kept without being encoded again.
	Blobs map[string]plumbing.Hash
	// More, when set, adds files made from what the branch (the remote's,
	// with a remote) holds now, and paths to delete from it: the feed
	// copies of core/reportsbranch/feedcopy, written only when the branch
	// does not hold them yet.
	More func(current *Tree) (files Files, remove []string, err error)
}

// CommitReports commits the reports layout to the reports branch of the
// Git repository holding the configuration, without touching its work tree,
// and pushes it when a remote is given. Reports that differ from the
// branch's (the remote's, with a remote) in timestamps at most make no
// commit and no push, by the rule tend serve follows (Differs).
func CommitReports(ctx context.Context, o CommitOptions, files map[string][]byte, summary *model.FleetSummary, changedHosts, failedHosts int) (plumbing.Hash, bool, error) {
	root, current, err := o.current(ctx)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	for p, b := range o.IfMissing {
		if _, ok := files[p]; ok {
			continue
		}
		if _, ok, err := current.File(p); err != nil {
			return plumbing.ZeroHash, false, fmt.Errorf("committing reports: %w", err)
		} else if !ok {
			files[p] = b
		}
	}
	var remove []string
	if o.More != nil {
		more, rm, err := o.More(current)
		if err != nil {
			return plumbing.ZeroHash, false, fmt.Errorf("committing reports: %w", err)
		}
		for p, b := range more {
			files[p] = b
		}
		for _, p := range rm {
			if _, ok, err := current.BlobHash(p); err != nil {
				return plumbing.ZeroHash, false, fmt.Errorf("committing reports: %w", err)
			} else if ok {
				remove = append(remove, p)
			}
		}
	}
	differs, err := Differs(current, files)
	if err == nil && !differs {
		differs, err = BlobsDiffer(current, o.Blobs)
	}
	if err != nil || (!differs && len(remove) == 0) {
		return current.Head, false, err
	}
	msg, trailers := Message(summary.ConfigCommit, summary.Hosts, changedHosts, failedHosts)
	c := Commit{Message: msg, Trailers: trailers, Blobs: o.Blobs, Remove: remove,
		Author: object.Signature{Name: "tend", Email: "tend@localhost", When: o.Now}}
	if o.Remote == "" {
		return Write(root, o.Branch, files, c)
	}
	return Sync(ctx, root, o.Remote, o.Branch, files, c)
}

// current fetches the branch the reports go onto (the remote's, with a
// remote) and returns it with the work tree's root.
func (o CommitOptions) current(ctx context.Context) (string, *Tree, error) {
	repo, err := configrepo.Open(o.ConfigDir)
	if err != nil {
		return "", nil, fmt.Errorf("committing reports: %w", err)
	}
	root, _, err := repo.WorkTree()
	if err != nil {
		return "", nil, fmt.Errorf("committing reports: %w", err)
	}
	current, err := Fetch(ctx, root, o.Remote, o.Branch)
	if err != nil {
		return "", nil, fmt.Errorf("committing reports: %w", err)
	}
	return root, current, nil
}

// Holding returns those of blobs (paths to the blob hash of the content
// they are to have) that the branch CommitReports writes onto already
// holds as that very blob: CommitOptions.Blobs can keep them there without
// their content being encoded again.
func Holding(ctx context.Context, o CommitOptions, blobs map[string]plumbing.Hash) (map[string]plumbing.Hash, error) {
	_, current, err := o.current(ctx)
	if err != nil {
		return nil, err
	}
	held := map[string]plumbing.Hash{}
	for p, h := range blobs {
		old, ok, err := current.BlobHash(p)
		if err != nil {
			return nil, fmt.Errorf("committing reports: %w", err)
		}
		if ok && old == h {
			held[p] = h
		}
	}
	return held, nil
}
