package planner

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// Reused is what planning one host under one policy gave, kept so that a
// later plan from the same inputs can take it instead of planning the host
// again (Input.Reuse; tend report --commit's per-host cache,
// core/reportcache). Only a host no later ring looks at is reused: one in
// the last ring of its policy's rollout, in no ring, or under a policy
// without a rollout.
type Reused struct {
	// Plan is the host plan as planning left it, before the transaction
	// check (CheckTransactions), which is made again.
	Plan model.HostPlan `json:"plan"`
	// Warnings are the warnings planning the host added, in order, with
	// those another host had added already.
	Warnings []model.Warning `json:"warnings"`
	// Rings are the updates (package, NUL, version) whose earlier rings'
	// state the host's plan read, and Facts digests what it found there
	// (Facts): the plan holds while the digest does.
	Rings []string `json:"rings"`
	Facts string   `json:"facts"`
	// EvaluatedAt is the instant the host was planned for, and ValidUntil
	// the earliest instant after it at which anything the plan judged
	// against the instant may change (approval delays ending, windows and
	// freezes opening or closing, suspensions, approvals, exclusions and
	// advisories expiring, ring soak ending, remediation deadlines
	// passing); nil when nothing does. The plan holds for every instant of
	// [EvaluatedAt, ValidUntil) (ValidAt).
	EvaluatedAt time.Time  `json:"evaluated_at"`
	ValidUntil  *time.Time `json:"valid_until,omitempty"`
}

// ValidAt reports whether the plan holds for a plan made for now.
func (r *Reused) ValidAt(now time.Time) bool {
	return !r.EvaluatedAt.IsZero() && !now.Before(r.EvaluatedAt) && (r.ValidUntil == nil || now.Before(*r.ValidUntil))
}

// reusable reports whether no later ring of the policy looks at host: the
// rings only ever read the hosts of earlier rings.
func (pp *policyPlan) reusable(host string) bool {
	i := pp.rings.index(host)
	return i < 0 || i == len(pp.rings.list)-1
}

// facts digests what a host of ring i is told of the earlier rings for
// each update of keys (rings.key): the answers of wait, which are all a
// host's plan reads of other hosts, so equal digests mean equal plans.
func (pp *policyPlan) facts(i int, keys []string) string {
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
		if i <= 0 {
			continue
		}
		pkg, to := splitKey(k)
		until, reason, blocked, open := pp.rings.wait(pp, i, pkg, to)
		writeTime(h, until, !until.IsZero())
		h.Write([]byte(reason))
		h.Write([]byte{0, boolByte(blocked), boolByte(open)})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func splitKey(k string) (pkg, to string) {
	for i := 0; i < len(k); i++ {
		if k[i] == 0 {
			return k[:i], k[i+1:]
		}
	}
	return k, ""
}

func writeInt(h hash.Hash, n int64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}

func writeTime(h hash.Hash, t time.Time, ok bool) {
	if !ok {
		h.Write([]byte{0})
		return
	}
	h.Write([]byte{1})
	writeInt(h, t.UnixNano())
}

// planOrReuse plans host, or takes what Input.Reuse kept of an earlier
// plan from the same inputs when the earlier rings still answer the same;
// a host planned afresh that could be reused is told to Input.Planned.
func (pp *policyPlan) planOrReuse(host string) model.HostPlan {
	if !pp.reusable(host) || (pp.in.Reuse == nil && pp.in.Planned == nil) {
		return pp.planHost(host)
	}
	ring := pp.rings.index(host)
	if pp.in.Reuse != nil {
		if r := pp.in.Reuse(host, pp.p.Name); r != nil && r.Plan.Host == host && r.Plan.Policy == pp.p.Name && r.ValidAt(pp.now) && pp.facts(ring, r.Rings) == r.Facts {
			for _, w := range r.Warnings {
				pp.warns.add(w.Where, "%s", w.Message)
			}
			return r.Plan
		}
	}
	rec := &recording{}
	pp.warns.rec, pp.rings.rec = rec, rec
	pp.next = pp.policyNext
	if hc := pp.in.Config.Hosts[host]; hc != nil && hc.Suspend != nil {
		pp.changesAtPtr(hc.Suspend.Until)
	}
	hp := pp.planHost(host)
	pp.warns.rec, pp.rings.rec = nil, nil
	if pp.in.Planned != nil {
		r := &Reused{Plan: hp, Warnings: rec.warns, Rings: rec.keys, Facts: pp.facts(ring, rec.keys), EvaluatedAt: pp.now}
		if !pp.next.IsZero() {
			t := pp.next
			r.ValidUntil = &t
		}
		pp.in.Planned(host, r)
	}
	return hp
}

// recording collects, while one host is planned, the warnings it adds and
// the updates it asks earlier rings about.
type recording struct {
	warns []model.Warning
	keys  []string
}
