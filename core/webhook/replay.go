package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// replayMemory is how many keys a Handler remembers: two per accepted
// delivery (its id and its body), so the last 1024 deliveries.
const replayMemory = 2048

// replays remembers the keys of the most recent accepted deliveries, at
// most a fixed number; the oldest is forgotten first.
type replays struct {
	mu   sync.Mutex
	keys map[string]struct{}
	ring []string // insertion order; "" marks a free slot
	next int
}

func newReplays(n int) *replays {
	return &replays{keys: make(map[string]struct{}, n), ring: make([]string, n)}
}

// add records keys and reports true, unless one of them is already
// remembered: then it records nothing and reports false. Empty keys are
// skipped.
func (r *replays) add(keys ...string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		if _, ok := r.keys[k]; ok && k != "" {
			return false
		}
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		if old := r.ring[r.next]; old != "" {
			delete(r.keys, old)
		}
		r.ring[r.next] = k
		r.keys[k] = struct{}{}
		r.next = (r.next + 1) % len(r.ring)
	}
	return true
}

// replayKeys are the keys of an authenticated push: its delivery id, if
// any, and, for a push naming a commit, its body. A body without a commit
// (a generic "fetch now") may be sent again on purpose and is not a key.
func replayKeys(p Push, body []byte) []string {
	var keys []string
	if p.Delivery != "" {
		keys = append(keys, "id "+p.Source+" "+p.Delivery)
	}
	if p.After != "" {
		sum := sha256.Sum256(body)
		keys = append(keys, "body "+hex.EncodeToString(sum[:]))
	}
	return keys
}
