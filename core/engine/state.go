package engine

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/localstate"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
	"github.com/tend-sh/tend/core/reportsbranch/history"
	"github.com/tend-sh/tend/core/rollout"
)

// earlier is what a plan that is not made from git:REF takes from earlier
// runs: the CLI's .tend/state and every copy of the reports branch in the
// configuration's repository (tend serve's record).
type earlier struct {
	// seen are the first-seen times, the earliest of all sources.
	seen []rollout.Seen
	// lastApply is each host's last apply, the latest of all sources.
	lastApply map[string]*model.LastApply
}

// readEarlier reads the state CLI runs kept in dir and what the copies of
// the configuration's reports branch hold.
func readEarlier(cfg *config.Config, dir string) (*earlier, error) {
	seen, err := localstate.ReadFirstSeen(dir)
	if err != nil {
		return nil, err
	}
	applies, err := localstate.ReadLastApplies(dir)
	if err != nil {
		return nil, err
	}
	copies, err := history.ReadCopies(dir, cfg.ReportsBranch())
	if err != nil {
		return nil, err
	}
	lists := [][]rollout.Seen{seen}
	for _, rec := range copies {
		for _, s := range rec.Rollouts {
			lists = append(lists, s.FirstSeen)
		}
		for host, la := range rec.LastApply {
			if old, ok := applies[host]; !ok || la.FinishedAt.After(old.FinishedAt) {
				applies[host] = la
			}
		}
	}
	return &earlier{seen: earliest(lists...), lastApply: applies}, nil
}

// history is what the planner needs of e.
func (e *earlier) history() planner.History {
	return rollout.History(map[string]*rollout.State{"": {FirstSeen: e.seen}})
}

// earliest merges lists of first-seen times: one entry per update and
// host, the earliest time, sorted.
func earliest(lists ...[]rollout.Seen) []rollout.Seen {
	at := map[planner.UpdateKey]rollout.Seen{}
	for _, l := range lists {
		for _, s := range l {
			k := planner.UpdateKey{Host: s.Host, Provider: s.Provider, Package: s.Package, To: s.To}
			if old, ok := at[k]; !ok || s.At.Before(old.At) {
				at[k] = s
			}
		}
	}
	return slices.SortedFunc(maps.Values(at), func(a, b rollout.Seen) int {
		return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.Provider, b.Provider),
			cmp.Compare(a.Package, b.Package), cmp.Compare(a.To, b.To))
	})
}

// recordsFirstSeen reports whether a plan from this inventory source
// records first-seen times: live scans and the snapshots they keep in
// CONFIG/.tend/inventory do; other snapshot directories (someone else's,
// an example's) are only read.
func recordsFirstSeen(configDir, source string) bool {
	if source == "" || source == "live" {
		return true
	}
	kept, err := os.Stat(filepath.Join(configDir, inventory.DefaultDir))
	if err != nil {
		return false
	}
	dir, err := os.Stat(source)
	return err == nil && os.SameFile(kept, dir)
}

// recordFirstSeen writes the first-seen times of the updates the plan's
// hosts offer (rollout.FirstSeen) to dir's state: e's, and those another
// run recorded since e was read, the earliest winning. Times are recorded
// as of the real clock, now: a plan made --at another time must not make
// an update older than it is.
func recordFirstSeen(dir string, e *earlier, pl *model.Plan, inv map[string]*model.Snapshot, now time.Time) error {
	err := localstate.UpdateFirstSeen(dir, now, func(again []rollout.Seen) []rollout.Seen {
		return rollout.FirstSeen(earliest(e.seen, again), pl.Hosts, inv, now.UTC())
	})
	if err != nil && !errors.Is(err, localstate.ErrCorrupt) {
		return fmt.Errorf("recording when updates were first seen: %w", err)
	}
	return err
}
