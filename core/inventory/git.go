package inventory

import (
	"errors"
	"fmt"

	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// ReadGit reads every hosts/<host>/inventory.json at a revision (a branch
// such as origin/tend/reports, a tag or a commit) of the Git repository that
// holds dir, without touching the work tree.
func ReadGit(dir, rev string) (map[string]*model.Snapshot, error) {
	t, err := reportsbranch.At(dir, rev)
	if err != nil {
		return nil, fmt.Errorf("inventory git:%s: %w", rev, err)
	}
	hosts, err := t.Names(reportsbranch.HostsDir)
	if err != nil {
		return nil, fmt.Errorf("inventory git:%s: %w", rev, err)
	}
	if hosts == nil {
		return nil, fmt.Errorf("inventory git:%s: no %s/ directory at %s", rev, reportsbranch.HostsDir, commitid.Short(t.Head.String()))
	}
	out := map[string]*model.Snapshot{}
	for _, host := range hosts {
		p := reportsbranch.SnapshotPath(host)
		name := fmt.Sprintf("git:%s:%s", rev, p)
		data, ok, err := t.FileMax(p, MaxSnapshotSize)
		if errors.Is(err, reportsbranch.ErrTooLarge) {
			return nil, tooLarge(name, -1)
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			continue // not a host directory, or one without a snapshot
		}
		s, err := Parse(name, data, host)
		if err != nil {
			return nil, err
		}
		out[host] = s
	}
	return out, nil
}
