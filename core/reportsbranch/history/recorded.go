package history

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
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

// Read reads the rollout states and last applies of a reports branch
// tree; a tree without those files gives an empty Recorded.
func Read(t *reportsbranch.Tree) (*Recorded, error) {
	rollouts, err := readRollouts(t)
	if err != nil {
		return nil, err
	}
	applies, err := readLastApplies(t)
	if err != nil {
		return nil, err
	}
	return &Recorded{Rollouts: rollouts, LastApply: applies}, nil
}

// readRollouts reads every rollouts/<policy>.json, by policy.
func readRollouts(t *reportsbranch.Tree) (map[string]*rollout.State, error) {
	out := map[string]*rollout.State{}
	names, err := t.Names(reportsbranch.RolloutsDir)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		p := path.Join(reportsbranch.RolloutsDir, name)
		data, ok, err := t.File(p)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		s, err := rollout.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		out[s.Policy] = s
	}
	return out, nil
}

// readLastApplies reads the last apply of every hosts/<host>/report.json
// that records one, by host.
func readLastApplies(t *reportsbranch.Tree) (map[string]*model.LastApply, error) {
	out := map[string]*model.LastApply{}
	hosts, err := t.Names(reportsbranch.HostsDir)
	if err != nil {
		return nil, err
	}
	for _, host := range hosts {
		p := reportsbranch.ReportPath(host)
		data, ok, err := t.File(p)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		var r model.Report
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if r.LastApply != nil {
			out[host] = r.LastApply
		}
	}
	return out, nil
}
