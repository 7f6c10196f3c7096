package inventory

import (
	"fmt"
	"io"
	"path"
	"sort"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/tend-sh/tend/core/model"
)

// HostsDir is where the reports branch keeps per-host snapshots.
const HostsDir = "hosts"

// ReadGit reads every hosts/<host>/inventory.json at a revision (a branch
// such as origin/tend/reports, a tag or a commit) of the Git repository that
// holds dir, without touching the work tree.
func ReadGit(dir, rev string) (map[string]*model.Snapshot, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, fmt.Errorf("--inventory git:%s: %s is not in a Git repository: %w", rev, dir, err)
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("--inventory git:%s: %w", rev, err)
	}
	commit, err := repo.CommitObject(*hash)
	if err != nil {
		return nil, fmt.Errorf("--inventory git:%s: %w", rev, err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, fmt.Errorf("--inventory git:%s: %w", rev, err)
	}
	hosts, err := tree.Tree(HostsDir)
	if err != nil {
		return nil, fmt.Errorf("--inventory git:%s: no %s/ directory at %s: %w", rev, HostsDir, hash.String()[:12], err)
	}
	out := map[string]*model.Snapshot{}
	names := make([]string, 0, len(hosts.Entries))
	for _, e := range hosts.Entries {
		if e.Mode == filemode.Dir {
			names = append(names, e.Name)
		}
	}
	sort.Strings(names)
	for _, host := range names {
		f, err := hosts.File(path.Join(host, FileName))
		if err != nil {
			continue // a host directory without a snapshot
		}
		r, err := f.Reader()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, err
		}
		s, err := Parse(fmt.Sprintf("git:%s:%s/%s/%s", rev, HostsDir, host, FileName), data, host)
		if err != nil {
			return nil, err
		}
		out[host] = s
	}
	return out, nil
}
