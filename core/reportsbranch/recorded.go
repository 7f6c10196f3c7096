package reportsbranch

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

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

// ReadRecorded reads the rollout states and last applies of a reports
// branch tree; a tree without those files gives an empty Recorded.
func ReadRecorded(t *Tree) (*Recorded, error) {
	rec := &Recorded{Rollouts: map[string]*rollout.State{}, LastApply: map[string]*model.LastApply{}}
	names, err := t.Names("rollouts")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		p := path.Join("rollouts", name)
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
		rec.Rollouts[s.Policy] = s
	}
	hosts, err := t.Names("hosts")
	if err != nil {
		return nil, err
	}
	for _, host := range hosts {
		p := path.Join("hosts", host, "report.json")
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
			rec.LastApply[host] = r.LastApply
		}
	}
	return rec, nil
}
