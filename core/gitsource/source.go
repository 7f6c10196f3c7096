package gitsource

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"sync"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/sirupsen/logrus"
)

// RemoteName is the name of the remote the clone fetches from.
const RemoteName = "origin"

// DefaultBranch is the branch watched when Options.Branch is empty.
const DefaultBranch = "main"

// DefaultTokenUser is the basic-auth user sent with a token (GitHub's).
const DefaultTokenUser = "x-access-token"

// ErrBranchNotFound is wrapped by errors saying the remote has no such branch.
var ErrBranchNotFound = errors.New("branch not found")

// ErrPathNotFound is wrapped by errors saying a commit has no Options.Path.
var ErrPathNotFound = errors.New("path not found")

// Options configures Open.
type Options struct {
	// URL of the configuration repository: file:///abs/path, /abs/path,
	// ssh://user@host[:port]/repo.git, user@host:repo.git or
	// https://host/repo.git.
	URL string
	// Branch to watch; DefaultBranch when empty.
	Branch string
	// Path is the slash-separated directory of the repository holding the
	// *.tend.hcl files; "" is the root.
	Path string
	// Dir is where the bare clone lives; created when missing.
	Dir string

	// TokenFile holds an access token for https URLs (surrounding space is
	// trimmed). It is read again before every fetch, so it may be rotated.
	TokenFile string
	// TokenEnv names the environment variable holding the token when
	// TokenFile is empty.
	TokenEnv string
	// TokenUser is the basic-auth user sent with the token;
	// DefaultTokenUser when empty (GitLab wants "oauth2").
	TokenUser string

	// SSHKeyFile is an unencrypted private key for ssh URLs; when empty the
	// ssh-agent at SSH_AUTH_SOCK is used.
	SSHKeyFile string
	// KnownHostsFile verifies the server's host key; ~/.ssh/known_hosts
	// when empty. Unknown or changed keys are always refused.
	KnownHostsFile string

	// Log receives progress at debug and info level; no secrets are logged.
	Log logrus.FieldLogger
}

// Source is a bare clone of the configuration repository. Its methods may
// be called from several goroutines.
type Source struct {
	url     string // as configured; never holds credentials (Open refuses them)
	safeURL string // for messages and logs
	branch  string
	subdir  string
	dir     string
	log     logrus.FieldLogger
	auth    *authSource

	mu sync.Mutex // serialises use of the clone
}

// Open initialises the bare clone in o.Dir (created 0700 with any missing
// parents), or opens it, and points the remote "origin" at o.URL (updating
// it when the URL or branch changed). A URL holding credentials is refused
// before anything is written: they would be stored in the clone's config
// and quoted in messages. Open checks the credentials can be built (token
// readable, key parsable, known_hosts present) but does not touch the
// network. The caller must own o.Dir exclusively (the daemon holds its
// state dir's lock before calling Open).
func Open(o Options) (*Source, error) {
	if o.URL == "" {
		return nil, errors.New("git source: no repository URL")
	}
	if o.Dir == "" {
		return nil, errors.New("git source: no directory for the local clone")
	}
	if o.Branch == "" {
		o.Branch = DefaultBranch
	}
	safe := redactURL(o.URL)
	if err := plumbing.NewBranchReferenceName(o.Branch).Validate(); err != nil {
		return nil, fmt.Errorf("repository %s: invalid branch name %q", safe, o.Branch)
	}
	subdir, err := cleanSubdir(o.Path)
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", safe, err)
	}
	ep, err := parseURL(o.URL)
	if err != nil {
		return nil, err
	}
	url := o.URL
	if ep.Protocol == "file" && !strings.HasPrefix(o.URL, "file:") {
		url = ep.Path // a local path, made absolute
	}
	log := o.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = l
	}
	s := &Source{
		url:     url,
		safeURL: safe,
		branch:  o.Branch,
		subdir:  subdir,
		dir:     o.Dir,
		log:     log.WithFields(logrus.Fields{"repo": safe, "branch": o.Branch}),
	}
	s.auth, err = newAuthSource(o, ep)
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", safe, err)
	}
	repo, err := openOrInit(o.Dir)
	if err != nil {
		return nil, err
	}
	if err := s.setRemote(repo); err != nil {
		return nil, err
	}
	return s, nil
}

// cleanSubdir validates Options.Path and returns it cleaned, "" for the root.
func cleanSubdir(p string) (string, error) {
	if strings.ContainsRune(p, '\\') || strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("invalid path %q: use forward slashes", p)
	}
	if strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("invalid path %q: it is relative to the repository root", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "", fmt.Errorf("invalid path %q: it may not contain \"..\"", p)
		}
	}
	c := path.Clean("/" + p)[1:]
	return c, nil
}

// openOrInit opens the repository at dir, or initialises a bare one when dir
// is missing or empty.
func openOrInit(dir string) (*git.Repository, error) {
	repo, err := git.PlainOpen(dir)
	if err == nil {
		return repo, nil
	}
	if !errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("open local clone %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("local clone %s: %w", dir, err)
	}
	if len(entries) > 0 {
		return nil, fmt.Errorf("local clone %s: directory is not empty and not a Git repository; remove it or choose another", dir)
	}
	// Private from the start: the clone holds the configuration, and its
	// parent (the state dir) may not exist yet.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create local clone %s: %w", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create local clone %s: %w", dir, err)
	}
	repo, err = git.PlainInit(dir, true)
	if err != nil {
		return nil, fmt.Errorf("create local clone %s: %w", dir, err)
	}
	return repo, nil
}

// refSpec maps the watched branch to its remote-tracking ref.
func (s *Source) refSpec() config.RefSpec {
	return config.RefSpec("+" + plumbing.NewBranchReferenceName(s.branch).String() + ":" + s.tracking().String())
}

func (s *Source) tracking() plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(RemoteName, s.branch)
}

// setRemote points origin at the URL. When the URL changed, the old
// remote-tracking ref is dropped so Head does not report another
// repository's commit.
func (s *Source) setRemote(repo *git.Repository) error {
	cfg, err := repo.Config()
	if err != nil {
		return fmt.Errorf("read config of %s: %w", s.dir, err)
	}
	want := &config.RemoteConfig{Name: RemoteName, URLs: []string{s.url}, Fetch: []config.RefSpec{s.refSpec()}}
	old, ok := cfg.Remotes[RemoteName]
	switch {
	case ok && len(old.URLs) == 1 && old.URLs[0] == s.url && len(old.Fetch) == 1 && old.Fetch[0] == want.Fetch[0]:
		return nil
	case ok && (len(old.URLs) != 1 || old.URLs[0] != s.url):
		s.log.Info("repository URL changed; the local clone now follows the new one")
		if err := repo.Storer.RemoveReference(s.tracking()); err != nil {
			return fmt.Errorf("reset %s in %s: %w", s.tracking(), s.dir, err)
		}
	}
	cfg.Remotes[RemoteName] = want
	if err := repo.SetConfig(cfg); err != nil {
		return fmt.Errorf("set remote %s of %s: %w", RemoteName, s.dir, err)
	}
	return nil
}

// open opens the clone afresh, so objects and refs written by other users
// of the directory (reportsbranch.Sync) are always seen.
func (s *Source) open() (*git.Repository, error) {
	repo, err := git.PlainOpen(s.dir)
	if err != nil {
		return nil, fmt.Errorf("open local clone %s: %w", s.dir, err)
	}
	return repo, nil
}

// URL returns the repository URL as messages show it.
func (s *Source) URL() string { return s.safeURL }

// RepoPath returns the directory of the local clone.
func (s *Source) RepoPath() string { return s.dir }

// Remote returns the name of the remote, "origin".
func (s *Source) Remote() string { return RemoteName }

// Auth returns the credentials for the remote, as built for the last fetch
// (or by Open): nil for local URLs and https without a token.
func (s *Source) Auth() transport.AuthMethod { return s.auth.current() }

// Head returns the branch head as of the last fetch, without the network.
func (s *Source) Head() (plumbing.Hash, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, err := s.open()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return s.head(repo)
}

func (s *Source) head(repo *git.Repository) (plumbing.Hash, error) {
	ref, err := repo.Storer.Reference(s.tracking())
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, fmt.Errorf("branch %q of %s has not been fetched yet", s.branch, s.safeURL)
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("read %s in %s: %w", s.tracking(), s.dir, err)
	}
	return ref.Hash(), nil
}

// Commit returns the commit h from the local clone.
func (s *Source) Commit(h plumbing.Hash) (*object.Commit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, err := s.open()
	if err != nil {
		return nil, err
	}
	return s.commit(repo, h)
}

func (s *Source) commit(repo *git.Repository, h plumbing.Hash) (*object.Commit, error) {
	c, err := repo.CommitObject(h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, fmt.Errorf("commit %s is not in the local clone of %s (not fetched yet, or not on branch %q)", h, s.safeURL, s.branch)
	}
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", h, err)
	}
	return c, nil
}

// Descends reports whether h is base or a descendant of it, from the local
// clone: whether moving from base to h follows the branch's history rather
// than rewinding or rewriting it.
func (s *Source) Descends(h, base plumbing.Hash) (bool, error) {
	if h == base {
		return true, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, err := s.open()
	if err != nil {
		return false, err
	}
	head, err := s.commit(repo, h)
	if err != nil {
		return false, err
	}
	b, err := s.commit(repo, base)
	if err != nil {
		return false, err
	}
	ok, err := b.IsAncestor(head)
	if err != nil {
		return false, fmt.Errorf("does %s descend from %s: %w", h, base, err)
	}
	return ok, nil
}
