package reportsbranch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

const (
	maxAttempts  = 5
	firstBackoff = 200 * time.Millisecond
)

// Option configures Sync.
type Option func(*options)

type options struct {
	auth  transport.AuthMethod
	sleep func(context.Context, time.Duration) error
	// beforePush is a test hook run before each push attempt (0-based).
	beforePush func(attempt int)
}

// WithAuth sets the transport authentication (leave unset for local paths
// and file:// URLs).
func WithAuth(auth transport.AuthMethod) Option {
	return func(o *options) { o.auth = auth }
}

// WithSleep replaces the backoff sleep between push attempts (for tests).
func WithSleep(sleep func(context.Context, time.Duration) error) Option {
	return func(o *options) { o.sleep = sleep }
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Sync fetches branch from remote, writes files on top of the remote head
// (the same overlay as Write; the local branch ref is set to the result) and
// pushes it, never forcing. A non-fast-forward rejection makes it fetch,
// rebuild and retry with exponential backoff (200ms, doubling, at most 5
// push attempts). When the remote already has the files, nothing is
// committed or pushed and changed is false.
func Sync(ctx context.Context, repoPath, remote, branch string, files Files, c Commit, opts ...Option) (hash plumbing.Hash, changed bool, err error) {
	o := options{sleep: sleepCtx}
	for _, opt := range opts {
		opt(&o)
	}
	repo, err := git.PlainOpen(repoPath)
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("open repository %s: %w", repoPath, err)
	}
	if _, err := repo.Remote(remote); err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("remote %q: %w", remote, err)
	}
	local := plumbing.NewBranchReferenceName(branch)
	tracking := plumbing.NewRemoteReferenceName(remote, branch)
	var lastErr error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			if err := o.sleep(ctx, firstBackoff<<(attempt-1)); err != nil {
				return plumbing.ZeroHash, false, fmt.Errorf("push %s: %w (last: %w)", branch, err, lastErr)
			}
		}
		onRemote, err := fetch(ctx, repo, remote, local, tracking, o.auth)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		old, err := repo.Storer.Reference(local)
		if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
			return plumbing.ZeroHash, false, fmt.Errorf("read %s: %w", local, err)
		}
		var parent *plumbing.Hash
		switch {
		case onRemote != nil:
			parent = onRemote
		case old != nil:
			h := old.Hash()
			parent = &h
		}
		st := stage(repo.Storer)
		head, changed, err := build(st, parent, files, c)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		if err := st.flush(); err != nil {
			return plumbing.ZeroHash, false, err
		}
		if old == nil || old.Hash() != head {
			if err := repo.Storer.CheckAndSetReference(plumbing.NewHashReference(local, head), old); err != nil {
				return plumbing.ZeroHash, false, fmt.Errorf("update %s: %w", local, err)
			}
		}
		if onRemote != nil && !changed {
			return head, false, nil
		}
		if o.beforePush != nil {
			o.beforePush(attempt)
		}
		err = repo.PushContext(ctx, &git.PushOptions{
			RemoteName: remote,
			RefSpecs:   []config.RefSpec{config.RefSpec(local.String() + ":" + local.String())},
			Auth:       o.auth,
		})
		if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
			return head, changed, nil
		}
		if !isNonFastForward(err) {
			return plumbing.ZeroHash, false, fmt.Errorf("push %s to %s: %w", branch, remote, err)
		}
		lastErr = err
	}
	return plumbing.ZeroHash, false, fmt.Errorf("push %s to %s: rejected %d times: %w", branch, remote, maxAttempts, lastErr)
}

// fetch updates the remote-tracking ref and returns the remote head, or nil
// when the remote has no such branch.
func fetch(ctx context.Context, repo *git.Repository, remote string, local, tracking plumbing.ReferenceName, auth transport.AuthMethod) (*plumbing.Hash, error) {
	err := repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: remote,
		RefSpecs:   []config.RefSpec{config.RefSpec("+" + local.String() + ":" + tracking.String())},
		Auth:       auth,
		Tags:       git.NoTags,
	})
	var noMatch git.NoMatchingRefSpecError
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
	case errors.As(err, &noMatch), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return nil, nil
	default:
		return nil, fmt.Errorf("fetch %s from %s: %w", local.Short(), remote, err)
	}
	ref, err := repo.Storer.Reference(tracking)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", tracking, err)
	}
	h := ref.Hash()
	return &h, nil
}

// isNonFastForward reports whether a push was rejected because the remote
// moved on: go-git's own client-side check, or the server's status.
func isNonFastForward(err error) bool {
	if errors.Is(err, git.ErrNonFastForwardUpdate) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"non-fast-forward", "fetch first", "failed to update ref", "cannot lock ref"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
