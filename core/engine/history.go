package engine

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/planner"
	"github.com/tend-sh/tend/core/rollout"
)

// historyFromGit reads what tend serve recorded in rollouts/*.json at a
// revision of the reports branch (ring done times, first-seen times), so a
// plan from that branch's inventory judges soak and approval delays as the
// daemon will. A revision without rollouts/ gives an empty history.
func historyFromGit(dir, rev string) (planner.History, error) {
	states := map[string]*rollout.State{}
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return planner.History{}, fmt.Errorf("git:%s: %w", rev, err)
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return planner.History{}, fmt.Errorf("git:%s: %w", rev, err)
	}
	c, err := repo.CommitObject(*hash)
	if err != nil {
		return planner.History{}, fmt.Errorf("git:%s: %w", rev, err)
	}
	root, err := c.Tree()
	if err != nil {
		return planner.History{}, fmt.Errorf("git:%s: %w", rev, err)
	}
	t, err := root.Tree("rollouts")
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return rollout.History(states), nil
	}
	if err != nil {
		return planner.History{}, fmt.Errorf("git:%s: rollouts: %w", rev, err)
	}
	for _, e := range t.Entries {
		if !e.Mode.IsFile() || !strings.HasSuffix(e.Name, ".json") {
			continue
		}
		f, err := t.TreeEntryFile(&e)
		if err != nil {
			return planner.History{}, err
		}
		r, err := f.Reader()
		if err != nil {
			return planner.History{}, err
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return planner.History{}, err
		}
		s, err := rollout.Parse(data)
		if err != nil {
			return planner.History{}, fmt.Errorf("git:%s:%s: %w", rev, path.Join("rollouts", e.Name), err)
		}
		states[s.Policy] = s
	}
	return rollout.History(states), nil
}
