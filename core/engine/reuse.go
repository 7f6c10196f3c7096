package engine

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
	"github.com/tend-sh/tend/core/reportcache"
	"github.com/tend-sh/tend/core/reportsbranch"
)

// Reuse is what a plan made with PlanOptions.Reports took from the cache
// and what it planned afresh that the cache may keep.
type Reuse struct {
	// Keys are the cache keys of the hosts a later plan could reuse (those
	// with a snapshot file and exactly one policy).
	Keys map[string]reportcache.Key
	// Reused are the entries whose plan the plan took, by host: their
	// snapshots were not parsed (PlanResult.Inventory holds a stub,
	// Entry.Stub) and their reports need no evaluation.
	Reused map[string]*reportcache.Entry
	// Planned is what planning gave the hosts with a key planned afresh.
	Planned map[string]*planner.Reused
	// Read counts the snapshot files read (the others' blob hashes came
	// from their stat information, reportcache.Cache.Blob).
	Read int
	// Parse parses a host's snapshot file (one Reused holds as a stub),
	// checking that it still has the blob hash the plan read.
	Parse func(host string) (*model.Snapshot, error)
}

// reuses reports whether a plan with o may reuse hosts: reports from a
// snapshot directory (not live, not git:REF, not the one live plans keep
// and record first-seen times from), without vulnerability feeds (whose
// matching annotates the snapshots) and for the whole fleet.
func reuses(o PlanOptions, cfg *config.Config) bool {
	return o.Reports != nil && !o.Lean && len(o.Hosts) == 0 && len(cfg.Feeds) == 0 &&
		o.Inventory != "" && o.Inventory != "live" && !strings.HasPrefix(o.Inventory, "git:") &&
		!recordsFirstSeen(o.ConfigDir, o.Inventory)
}

// reuseSource reads a snapshot directory for a plan that reuses hosts:
// every file is read and hashed; a host's snapshot is parsed up front when
// the cache has no entry for it, later only if the planner asks for it.
type reuseSource struct {
	cfg    *config.Config
	source string
	dir    string
	parser *inventory.Parser
	blobs  map[string]plumbing.Hash
	parsed map[string]*model.Snapshot
	// data holds the bytes read of the hosts the cache had, should the
	// planner ask for them after all.
	data map[string][]byte
	r    *Reuse
	errs []error
}

// openReuse reads dir; key returns a host's cache key from its snapshot's
// blob hash (false: the host is never reused).
func openReuse(cfg *config.Config, source, dir string, cache *reportcache.Cache, key func(host string, blob plumbing.Hash) (reportcache.Key, bool)) (*reuseSource, error) {
	hosts, err := inventory.HostDirs(dir)
	if err != nil {
		return nil, err
	}
	s := &reuseSource{cfg: cfg, source: source, dir: dir, parser: inventory.NewParser(), blobs: map[string]plumbing.Hash{}, parsed: map[string]*model.Snapshot{}, data: map[string][]byte{},
		r: &Reuse{Keys: map[string]reportcache.Key{}, Reused: map[string]*reportcache.Entry{}, Planned: map[string]*planner.Reused{}}}
	s.r.Parse = s.parse
	errs := make([]error, len(hosts))
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				host := hosts[i]
				path, _ := filepath.Abs(filepath.Join(dir, host, reportsbranch.SnapshotFile))
				fi, err := os.Stat(path)
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				// A file whose stat information is what it was when its
				// blob hash was recorded is not read at all.
				var data []byte
				blob, known := plumbing.ZeroHash, false
				if err == nil {
					blob, known = cache.Blob(path, fi)
				}
				if !known {
					mu.Lock()
					s.r.Read++
					mu.Unlock()
					readAt := time.Now()
					if data, err = inventory.ReadHostFile(dir, host); err != nil || data == nil {
						errs[i] = err
						continue
					}
					blob = plumbing.ComputeHash(plumbing.BlobObject, data)
					if fi != nil {
						cache.SawBlob(path, fi, readAt, blob)
					}
				}
				k, ok := key(host, blob)
				var e *reportcache.Entry
				if ok {
					e = cache.Get(k)
				}
				if e == nil && data == nil {
					mu.Lock()
					s.r.Read++
					mu.Unlock()
					if data, err = inventory.ReadHostFile(dir, host); err != nil || data == nil {
						errs[i] = err
						continue
					}
					if plumbing.ComputeHash(plumbing.BlobObject, data) != blob {
						errs[i] = fmt.Errorf("%s: the snapshot changed while it was read; run again", path)
						continue
					}
				}
				var snap *model.Snapshot
				if e == nil {
					if snap, err = s.parser.Parse(dir, host, data); err != nil {
						errs[i] = err
						continue
					}
				}
				mu.Lock()
				s.blobs[host] = blob
				if ok {
					s.r.Keys[host] = k
				}
				if e != nil {
					s.r.Reused[host] = e
					if data != nil {
						s.data[host] = data
					}
				} else {
					s.parsed[host] = snap
				}
				mu.Unlock()
			}
		}()
	}
	for i := range hosts {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// parse reads and parses a host's snapshot file again.
func (s *reuseSource) parse(host string) (*model.Snapshot, error) {
	if snap := s.parsed[host]; snap != nil {
		return snap, nil
	}
	data, ok := s.data[host]
	delete(s.data, host)
	if !ok {
		var err error
		s.r.Read++
		if data, err = inventory.ReadHostFile(s.dir, host); err != nil {
			return nil, err
		}
	}
	if data == nil || (!ok && plumbing.ComputeHash(plumbing.BlobObject, data) != s.blobs[host]) {
		return nil, fmt.Errorf("%s/%s: the snapshot changed while it was read; run again", s.dir, host)
	}
	snap, err := s.parser.Parse(s.dir, host, data)
	if err != nil {
		return nil, err
	}
	s.parsed[host] = snap
	return snap, nil
}

// next is planner.Input.Snapshots: a host asked for is planned afresh.
func (s *reuseSource) next(host string) *model.Snapshot {
	delete(s.r.Reused, host)
	if _, ok := s.blobs[host]; !ok {
		return nil
	}
	snap, err := s.parse(host)
	if err != nil {
		s.errs = append(s.errs, err)
		return nil
	}
	return snap
}

// reuse is planner.Input.Reuse.
func (s *reuseSource) reuse(host, policy string) *planner.Reused {
	e := s.r.Reused[host]
	if e == nil {
		return nil
	}
	if p := s.cfg.Policies[policy]; p == nil || !e.Reusable(s.source, p.Provider) {
		return nil
	}
	return e.Plan
}

// planned is planner.Input.Planned.
func (s *reuseSource) planned(host string, r *planner.Reused) {
	delete(s.r.Reused, host)
	if _, ok := s.r.Keys[host]; ok {
		s.r.Planned[host] = r
	}
}

// inventory returns the snapshots as the rest of the plan reads them: the
// parsed ones whole, the reused ones as stubs.
func (s *reuseSource) inventory() (map[string]*model.Snapshot, error) {
	if err := errors.Join(s.errs...); err != nil {
		return nil, err
	}
	defer func() { s.data = nil }() // Parse reads the file again if need be
	inv := make(map[string]*model.Snapshot, len(s.blobs))
	for host := range s.blobs {
		if e := s.r.Reused[host]; e != nil {
			inv[host] = e.Stub(host)
			continue
		}
		snap, err := s.parse(host)
		if err != nil {
			return nil, err
		}
		inv[host] = snap
	}
	return inv, nil
}

// reuseKeys returns the cache key of each host with exactly one policy,
// from its snapshot's blob hash: the run's inputs (see core/reportcache),
// then the host's. The inventory source is not part of it
// (reportcache.Entry.Reusable).
func reuseKeys(cfg *config.Config, o PlanOptions, commit string, hist planner.History, lastApply map[string]*model.LastApply) func(string, plumbing.Hash) (reportcache.Key, bool) {
	base := reportcache.NewHasher()
	// By their names inside the configuration, which may move (a host's
	// plan and report name no configuration file).
	sources := map[string][]byte{}
	for name, b := range cfg.Sources {
		if rel, err := filepath.Rel(cfg.Dir, name); err == nil {
			name = filepath.ToSlash(rel)
		}
		sources[name] = b
	}
	for _, name := range slices.Sorted(maps.Keys(sources)) {
		base.String(name).String(string(sources[name]))
	}
	// Not the instant: each entry's plan says over which instants it holds
	// (planner.Reused.ValidAt).
	base.String(commit).Int(int64(o.StaleAfter))
	policies := map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(cfg.Policies)) {
		for _, h := range cfg.Policies[name].Hosts {
			policies[h] = append(policies[h], name)
		}
	}
	seen := map[string][]planner.UpdateKey{}
	for k := range hist.FirstSeen {
		seen[k.Host] = append(seen[k.Host], k)
	}
	done := map[string][]planner.RingKey{}
	for k := range hist.RingDone {
		done[k.Policy] = append(done[k.Policy], k)
	}
	clients := cfg.HostLabels("client")
	return func(host string, blob plumbing.Hash) (reportcache.Key, bool) {
		if len(policies[host]) != 1 {
			return reportcache.Key{}, false
		}
		policy := policies[host][0]
		h := base.Clone().String(host).String(blob.String()).String(policy).String(clients[host])
		keys := slices.SortedFunc(slices.Values(seen[host]), func(a, b planner.UpdateKey) int {
			return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Package, b.Package), cmp.Compare(a.To, b.To))
		})
		rings := slices.SortedFunc(slices.Values(done[policy]), func(a, b planner.RingKey) int {
			return cmp.Or(cmp.Compare(a.Ring, b.Ring), cmp.Compare(a.Package, b.Package), cmp.Compare(a.To, b.To))
		})
		h.Int(int64(len(keys)))
		for _, k := range keys {
			h.String(k.Provider).String(k.Package).String(k.To).Time(hist.FirstSeen[k])
		}
		h.Int(int64(len(rings)))
		for _, k := range rings {
			h.String(k.Ring).String(k.Package).String(k.To).Time(hist.RingDone[k])
		}
		if err := h.JSON(lastApply[host]); err != nil {
			return reportcache.Key{}, false
		}
		return h.Sum(), true
	}
}
