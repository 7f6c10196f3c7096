package history

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	gojson "github.com/goccy/go-json"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/rollout"
)

// Recorded is what tend serve left on a revision of the reports branch
// besides the snapshots: the rollout states (rollouts/*.json), each host's
// report (hosts/<host>/report.json) and the last apply it records.
type Recorded struct {
	Rollouts  map[string]*rollout.State
	LastApply map[string]*model.LastApply
	// Reports are the hosts' reports, by host: the next compliance
	// carries their installed_at over (compliance.Input.Previous).
	Reports map[string]*model.Report
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

// Read reads the rollout states, reports and last applies of a reports
// branch tree; a tree without those files gives an empty Recorded.
func Read(t *reportsbranch.Tree) (*Recorded, error) {
	rollouts, err := readRollouts(t)
	if err != nil {
		return nil, err
	}
	reports, err := readReports(t)
	if err != nil {
		return nil, err
	}
	return &Recorded{Rollouts: rollouts, LastApply: lastApplies(reports), Reports: reports}, nil
}

// lastApplies returns the last apply of each report that records one, by
// host.
func lastApplies(reports map[string]*model.Report) map[string]*model.LastApply {
	out := map[string]*model.LastApply{}
	for host, r := range reports {
		if r.LastApply != nil {
			out[host] = r.LastApply
		}
	}
	return out
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

// readReports reads every hosts/<host>/report.json, by host. Reports
// decoded before (the same blob: tend report --commit reads the branch
// once for the plan and once for the applies, and a remote's copy mostly
// holds the local one's blobs) are not decoded again (decoded).
func readReports(t *reportsbranch.Tree) (map[string]*model.Report, error) {
	out := map[string]*model.Report{}
	hosts, err := t.Names(reportsbranch.HostsDir)
	if err != nil {
		return nil, err
	}
	for _, host := range hosts {
		p := reportsbranch.ReportPath(host)
		h, ok, err := t.BlobHash(p)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if r, ok := decoded.get(h); ok {
			out[host] = &r
			continue
		}
		data, ok, err := t.File(p)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		var r model.Report
		if gojson.Unmarshal(data, &r) != nil {
			// encoding/json's error is the one users see.
			r = model.Report{}
			if err := json.Unmarshal(data, &r); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
		}
		decoded.put(h, r, len(hosts))
		out[host] = &r
	}
	return out, nil
}

// decoded holds the reports readReports decoded, by blob hash; callers get
// a copy of each (they only read what it points to).
var decoded reportMemo

type reportMemo struct {
	mu sync.Mutex
	m  map[plumbing.Hash]model.Report
}

func (c *reportMemo) get(h plumbing.Hash) (model.Report, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[h]
	return r, ok
}

// put keeps r; the memo starts over when it holds more than four reports
// per host of the branch read, so a long-running tend serve does not keep
// every report it ever read.
func (c *reportMemo) put(h plumbing.Hash, r model.Report, hosts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= 4*max(hosts, 256) {
		c.m = map[plumbing.Hash]model.Report{}
	}
	c.m[h] = r
}
