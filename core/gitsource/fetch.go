package gitsource

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
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// WaitFor's backoff between fetches.
const (
	firstPoll = 100 * time.Millisecond
	maxPoll   = 2 * time.Second
)

// Fetch fetches the branch from origin into refs/remotes/origin/<branch>
// (force-updated, so a rewritten branch is followed; no tags) and returns
// its head. Nothing new to fetch is not an error.
func (s *Source) Fetch(ctx context.Context) (plumbing.Hash, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetch(ctx)
}

func (s *Source) fetch(ctx context.Context) (plumbing.Hash, error) {
	auth, err := s.auth.refresh()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("fetch branch %q of %s: %w", s.branch, s.safeURL, err)
	}
	repo, err := s.open()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	before, _ := repo.Storer.Reference(s.tracking())
	opts := &git.FetchOptions{
		RemoteName: RemoteName,
		RefSpecs:   []config.RefSpec{s.refSpec()},
		Auth:       auth,
		Tags:       git.NoTags,
	}
	err = repo.FetchContext(ctx, opts)
	if serverClosedEarly(err) && ctx.Err() == nil {
		s.log.Debug("fetch: the server closed the connection before go-git closed its side; fetching again")
		err = repo.FetchContext(ctx, opts)
	}
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return plumbing.ZeroHash, s.fetchError(err)
	}
	head, err := s.head(repo)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if before == nil || before.Hash() != head {
		s.log.WithField("commit", head.String()).Info("fetched new branch head")
	} else {
		s.log.WithField("commit", head.String()).Debug("branch head unchanged")
	}
	return head, nil
}

// fetchError turns go-git's fetch errors into ones that say what to do,
// without the credentials the URL may hold.
func (s *Source) fetchError(err error) error {
	where := fmt.Sprintf("branch %q of %s", s.branch, s.safeURL)
	var noMatch git.NoMatchingRefSpecError
	switch {
	case errors.As(err, &noMatch):
		return &message{msg: where + " does not exist: check the branch name", err: ErrBranchNotFound}
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return &message{msg: where + " does not exist: the repository is empty", err: ErrBranchNotFound}
	case errors.Is(err, transport.ErrRepositoryNotFound):
		err = fmt.Errorf("fetch %s: no repository at that URL (check the URL, and that the credentials may read it): %w", where, err)
	case errors.Is(err, transport.ErrAuthenticationRequired) && s.Auth() != nil:
		err = fmt.Errorf("fetch %s: the server refused the credentials: the token is wrong, expired, or sent with the wrong user name%s: %w", where, sentUser(s.Auth()), err)
	case errors.Is(err, transport.ErrAuthenticationRequired):
		err = fmt.Errorf("fetch %s: the server wants credentials: configure an access token: %w", where, err)
	case errors.Is(err, transport.ErrAuthorizationFailed):
		err = fmt.Errorf("fetch %s: access denied: the token is wrong, expired or may not read the repository: %w", where, err)
	case strings.Contains(err.Error(), "unable to authenticate"):
		err = fmt.Errorf("fetch %s: SSH authentication failed: check the key is authorised for the repository and the user in the URL is right: %w", where, err)
	default:
		err = fmt.Errorf("fetch %s: %w", where, err)
	}
	return s.scrub(err)
}

// WaitFor fetches until the commit want is in the local clone and is the
// branch head or one of its ancestors, waiting 100ms between fetches and
// doubling up to 2s. Fetch errors are retried too; when ctx ends, the error
// says the commit never became visible and carries the last fetch error.
func (s *Source) WaitFor(ctx context.Context, want plumbing.Hash) error {
	ok, err := s.visible(want)
	if err != nil || ok {
		return err
	}
	delay := firstPoll
	var lastErr error
	for {
		err := s.fetchAndCheck(ctx, want)
		switch {
		case err == nil:
			s.log.WithField("commit", want.String()).Debug("commit visible")
			return nil
		case errors.Is(err, errNotYet):
			lastErr = nil
		case ctx.Err() == nil: // a fetch cut short by ctx says nothing new
			lastErr = err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			if lastErr != nil {
				return fmt.Errorf("commit %s never became visible on branch %q of %s: %w (last fetch error: %w)", want, s.branch, s.safeURL, ctx.Err(), lastErr)
			}
			return fmt.Errorf("commit %s never became visible on branch %q of %s: %w", want, s.branch, s.safeURL, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, maxPoll)
	}
}

var errNotYet = errors.New("commit not visible yet")

// fetchAndCheck fetches once and reports errNotYet when want is not visible.
func (s *Source) fetchAndCheck(ctx context.Context, want plumbing.Hash) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.fetch(ctx); err != nil {
		return err
	}
	ok, err := s.visibleLocked(want)
	if err != nil {
		return err
	}
	if !ok {
		return errNotYet
	}
	return nil
}

// visible reports whether want is the fetched head or an ancestor of it,
// without the network. A head not fetched yet is no error: not visible.
func (s *Source) visible(want plumbing.Hash) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.visibleLocked(want)
}

func (s *Source) visibleLocked(want plumbing.Hash) (bool, error) {
	repo, err := s.open()
	if err != nil {
		return false, err
	}
	ref, err := repo.Storer.Reference(s.tracking())
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s in %s: %w", s.tracking(), s.dir, err)
	}
	if ref.Hash() == want {
		return true, nil
	}
	c, err := repo.CommitObject(want)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read commit %s: %w", want, err)
	}
	head, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return false, fmt.Errorf("read commit %s: %w", ref.Hash(), err)
	}
	ok, err := c.IsAncestor(head)
	if err != nil {
		return false, fmt.Errorf("is %s on branch %q: %w", want, s.branch, err)
	}
	return ok, nil
}

// sentUser names the basic-auth user a token was sent with, as " (NAME)",
// or "" for other credentials.
func sentUser(a transport.AuthMethod) string {
	if ba, ok := a.(*githttp.BasicAuth); ok {
		return fmt.Sprintf(" (%q)", ba.Username)
	}
	return ""
}

// serverClosedEarly reports go-git v5's "closing input: EOF": over SSH the
// server may end git-upload-pack before the client closes its side of the
// channel, and go-git then fails a fetch that had nothing wrong with it
// (go-git issues #1685 and #1854, fixed in v6). One more fetch is the cure.
func serverClosedEarly(err error) bool {
	return err != nil && strings.HasSuffix(err.Error(), "closing input: EOF")
}
