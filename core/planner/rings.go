package planner

import (
	"fmt"
	"hash/fnv"
	"sort"
	"time"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/model"
)

// rings assigns a policy's hosts to rollout rings and answers whether an
// update may proceed in a ring, given what earlier rings still need.
type rings struct {
	list   []*config.Ring
	ringOf map[string]int
	byRing [][]string
	// pending counts, per ring, the hosts still needing package=to.
	pending []map[string]int
	// done holds, per ring but the last, when package=to was last seen
	// installed there (saw).
	done     []map[string]time.Time
	provider string
	// rec, when set, records the updates need is told about
	// (planOrReuse): those wait asks earlier rings about.
	rec *recording
}

func newRings(p *config.Policy) *rings {
	r := &rings{ringOf: map[string]int{}, provider: p.Provider}
	if p.Rollout == nil {
		return r
	}
	r.list = p.Rollout.Rings
	n := len(r.list)
	r.byRing = make([][]string, n)
	r.pending = make([]map[string]int, n)
	r.done = make([]map[string]time.Time, n)
	for i := range r.list {
		r.pending[i] = map[string]int{}
	}
	for i, ring := range r.list {
		for _, h := range p.Hosts {
			if _, taken := r.ringOf[h]; !taken && ring.Hosts[h] {
				r.ringOf[h] = i
			}
		}
	}
	// Percent rings take a stable pseudo-random order of the rest, so a
	// host keeps its ring as the fleet grows.
	var rest []string
	for _, h := range p.Hosts {
		if _, taken := r.ringOf[h]; !taken {
			rest = append(rest, h)
		}
	}
	sort.SliceStable(rest, func(i, j int) bool {
		hi, hj := hostHash(rest[i]), hostHash(rest[j])
		if hi != hj {
			return hi < hj
		}
		return rest[i] < rest[j]
	})
	// percent is cumulative: the share of the policy's hosts in this ring
	// and the rings before it (explicit members included).
	size := make([]int, n)
	for _, i := range r.ringOf {
		size[i]++
	}
	total, upTo := len(p.Hosts), 0
	for i, ring := range r.list {
		upTo += size[i]
		if ring.Percent == nil {
			continue
		}
		limit := (*ring.Percent*total + 99) / 100
		for len(rest) > 0 && upTo < limit {
			r.ringOf[rest[0]] = i
			rest = rest[1:]
			upTo++
		}
	}
	for _, h := range p.Hosts {
		if i, ok := r.ringOf[h]; ok {
			r.byRing[i] = append(r.byRing[i], h)
		}
	}
	return r
}

func hostHash(h string) uint64 {
	f := fnv.New64a()
	f.Write([]byte(h))
	return f.Sum64()
}

// index returns the host's ring, or -1 when the policy has no rollout or the
// rings do not cover the host.
func (r *rings) index(host string) int {
	if i, ok := r.ringOf[host]; ok {
		return i
	}
	return -1
}

// sorted returns hosts in planning order: by ring, hosts outside every
// ring last, otherwise as given.
func (r *rings) sorted(hosts []string) []string {
	out := append([]string(nil), hosts...)
	sort.SliceStable(out, func(i, j int) bool { return r.order(out[i]) < r.order(out[j]) })
	return out
}

// order sorts hosts by ring, hosts outside every ring last.
func (r *rings) order(host string) int {
	if i, ok := r.ringOf[host]; ok {
		return i
	}
	return len(r.list)
}

func key(pkg, to string) string { return pkg + "\x00" + to }

// need records that a host of ring i still needs pkg=to.
func (r *rings) need(i int, pkg, to string) {
	if r.rec != nil {
		r.rec.keys = append(r.rec.keys, key(pkg, to))
	}
	if i >= 0 && i < len(r.pending) {
		r.pending[i][key(pkg, to)]++
	}
}

// wait reports whether pkg=to must wait in ring i: blocked with open=true
// while an earlier ring still needs it (no predictable end), or blocked until
// the earlier ring's soak ends.
func (r *rings) wait(pp *policyPlan, i int, pkg, to string) (until time.Time, reason string, blocked, open bool) {
	k := key(pkg, to)
	for j := i - 1; j >= 0; j-- {
		ring := r.list[j]
		if n := r.pending[j][k]; n > 0 {
			return time.Time{}, fmt.Sprintf("waiting for ring %s: %d of %d %s still %s it",
				ring.Name, n, len(r.byRing[j]), words.Plural(len(r.byRing[j]), "host", "hosts"), words.Plural(n, "needs", "need")), true, true
		}
		doneAt, ok := pp.in.History.RingDone[RingKey{pp.p.Name, ring.Name, pkg, to}]
		if !ok {
			doneAt, ok = r.doneAt(j, pkg, to)
		}
		if !ok {
			continue // no host of ring j ever had it: nothing to learn there
		}
		if ready := doneAt.Add(ring.Soak); ready.After(pp.now) {
			return ready, fmt.Sprintf("ring %s soaking until %s (soak %s)", ring.Name, stamp(ready), ring.SoakText), true, false
		}
		return time.Time{}, "", false, false
	}
	return time.Time{}, "", false, false
}

// saw records, for a host of ring i that a later ring may wait for, the
// latest scan time at which each name@version was installed in ring i.
// Every host of ring i is planned (and seen) before a host of a later
// ring asks doneAt.
func (r *rings) saw(i int, snap *model.Snapshot) {
	if i < 0 || i >= len(r.list)-1 || snap == nil || snap.Providers[r.provider] == nil {
		return
	}
	if r.done[i] == nil {
		r.done[i] = map[string]time.Time{}
	}
	for _, it := range snap.Providers[r.provider].Installed {
		k := key(it.Name, it.Version)
		if t, seen := r.done[i][k]; !seen || snap.ScannedAt.After(t) {
			r.done[i][k] = snap.ScannedAt
		}
	}
}

// doneAt returns the latest scan time of a ring-j host that has pkg at
// version to installed.
func (r *rings) doneAt(j int, pkg, to string) (time.Time, bool) {
	t, ok := r.done[j][key(pkg, to)]
	return t, ok
}
