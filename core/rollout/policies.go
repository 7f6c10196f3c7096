package rollout

import (
	"maps"
	"slices"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/model"
)

// Pass is what one reconcile planned and did, for every policy of its
// configuration.
type Pass struct {
	Config       *config.Config
	ConfigCommit string
	// Before is the plan the reconcile applied; After the plan made from
	// the scan after the apply (the same plan when nothing was applied).
	Before, After *model.Plan
	// Inventory is the latest scan of each host, by host name.
	Inventory map[string]*model.Snapshot
	// Halted names the policies whose rollout this reconcile's apply
	// halted, each with the hosts that failed (in the apply's order).
	Halted map[string][]string
	Now    time.Time
}

// NextAll returns the rollout state of every policy of the configuration
// after a reconcile (see Next; prev holds the earlier states by policy, a
// missing one is no earlier state), and the policies whose rollout is
// halted for the configuration commit, sorted.
func NextAll(prev map[string]*State, p Pass) (states map[string]*State, halted []string) {
	states = map[string]*State{}
	for _, name := range slices.Sorted(maps.Keys(p.Config.Policies)) {
		in := Input{Policy: name, ConfigCommit: p.ConfigCommit, Before: p.Before, After: p.After,
			Inventory: p.Inventory, Now: p.Now}
		if r := p.Config.Policies[name].Rollout; r != nil {
			for _, ring := range r.Rings {
				in.Rings = append(in.Rings, ring.Name)
			}
			in.MaxFailures = r.MaxFailures.String()
		}
		if failed, ok := p.Halted[name]; ok {
			in.Halted, in.FailedHosts = true, failed
		}
		s := Next(prev[name], in)
		states[name] = s
		if s.HaltedNow(p.ConfigCommit) {
			halted = append(halted, name)
		}
	}
	return states, halted
}
