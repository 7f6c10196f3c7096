package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/rollout"
)

// Recorded is what tend serve left on a revision of the reports branch
// besides the snapshots: the rollout states (rollouts/*.json) and each
// host's last apply (hosts/<host>/report.json).
type Recorded struct {
	Rollouts  map[string]*rollout.State
	LastApply map[string]*model.LastApply
}

// Halted lists the policies whose rollout is halted for configCommit.
func (r *Recorded) Halted(configCommit string) []string {
	var out []string
	if r == nil {
		return out
	}
	for name, s := range r.Rollouts {
		if s.HaltedNow(configCommit) {
			out = append(out, name)
		}
	}
	return out
}

// readRecorded reads Recorded at a revision of the Git repository holding
// dir. A revision without those files gives an empty Recorded.
func readRecorded(dir, rev string) (*Recorded, error) {
	rec := &Recorded{Rollouts: map[string]*rollout.State{}, LastApply: map[string]*model.LastApply{}}
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, fmt.Errorf("git:%s: %w", rev, err)
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("git:%s: %w", rev, err)
	}
	c, err := repo.CommitObject(*hash)
	if err != nil {
		return nil, fmt.Errorf("git:%s: %w", rev, err)
	}
	root, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("git:%s: %w", rev, err)
	}
	err = eachFile(root, "rollouts", func(name string, data []byte) error {
		if !strings.HasSuffix(name, ".json") {
			return nil
		}
		s, err := rollout.Parse(data)
		if err != nil {
			return fmt.Errorf("git:%s:%s: %w", rev, path.Join("rollouts", name), err)
		}
		rec.Rollouts[s.Policy] = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	hosts, err := root.Tree("hosts")
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return rec, nil
	}
	if err != nil {
		return nil, fmt.Errorf("git:%s: hosts: %w", rev, err)
	}
	for _, e := range hosts.Entries {
		if e.Mode != filemode.Dir {
			continue
		}
		data, ok, err := fileAt(hosts, path.Join(e.Name, "report.json"))
		if err != nil || !ok {
			if err != nil {
				return nil, fmt.Errorf("git:%s: hosts/%s/report.json: %w", rev, e.Name, err)
			}
			continue
		}
		var r model.Report
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("git:%s: hosts/%s/report.json: %w", rev, e.Name, err)
		}
		if r.LastApply != nil {
			rec.LastApply[e.Name] = r.LastApply
		}
	}
	return rec, nil
}

// eachFile calls f with the name and content of every regular file of the
// directory dir of root; a missing directory calls nothing.
func eachFile(root *object.Tree, dir string, f func(name string, data []byte) error) error {
	t, err := root.Tree(dir)
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	for _, e := range t.Entries {
		if !e.Mode.IsFile() {
			continue
		}
		data, _, err := fileAt(t, e.Name)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", dir, e.Name, err)
		}
		if err := f(e.Name, data); err != nil {
			return err
		}
	}
	return nil
}

// fileAt reads a file of a tree; ok is false when it does not exist.
func fileAt(t *object.Tree, name string) ([]byte, bool, error) {
	f, err := t.File(name)
	if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	r, err := f.Reader()
	if err != nil {
		return nil, false, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	return data, err == nil, err
}
