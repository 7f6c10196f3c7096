package fleet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/plugins/lockfile"
)

// AgentGroups maps each desired-state group to its agent hosts (sorted):
// every config group that matches an agent host, and Ungrouped for agent
// hosts no group matches. Empty when the configuration has no agent host.
func AgentGroups(cfg *config.Config) map[string][]string {
	out := map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(cfg.Hosts)) {
		h := cfg.Hosts[name]
		if h.Transport != config.TransportAgent {
			continue
		}
		grouped := false
		for _, g := range slices.Sorted(maps.Keys(cfg.Groups)) {
			if cfg.Groups[g].Matches(h) {
				out[g] = append(out[g], name)
				grouped = true
			}
		}
		if !grouped {
			out[Ungrouped] = append(out[Ungrouped], name)
		}
	}
	return out
}

// HasAgents reports whether any host of cfg uses transport "agent".
func HasAgents(cfg *config.Config) bool { return len(AgentGroups(cfg)) > 0 }

// Files returns cfg's files (its HCL files and host lists, and the lock
// file beside them) by path relative to its directory, as a DesiredState
// carries them.
func Files(cfg *config.Config) (map[string][]byte, error) {
	out := make(map[string][]byte, len(cfg.Sources)+1)
	for p, b := range cfg.Sources {
		if rel, err := filepath.Rel(cfg.Dir, p); err == nil {
			p = filepath.ToSlash(rel)
		}
		out[p] = b
	}
	lock, err := os.ReadFile(filepath.Join(cfg.Dir, lockfile.FileName))
	switch {
	case err == nil:
		out[lockfile.FileName] = lock
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	return out, nil
}

// PublishDesired publishes the desired state of every agent group of cfg at
// commit, and remembers cfg's agent hosts as the declared ones. It returns
// each group's revision.
func (c *Controller) PublishDesired(ctx context.Context, cfg *config.Config, commit string) (map[string]uint64, error) {
	groups := AgentGroups(cfg)
	declared := map[string]bool{}
	for _, hosts := range groups {
		for _, h := range hosts {
			declared[h] = true
		}
	}
	c.mu.Lock()
	now := time.Now()
	for h := range declared {
		if _, ok := c.declaredSince[h]; !ok {
			c.declaredSince[h] = now
		}
	}
	for h := range c.declaredSince {
		if !declared[h] {
			delete(c.declaredSince, h)
		}
	}
	c.known = map[string]bool{}
	for h := range cfg.Hosts {
		c.known[h] = true
	}
	c.declared, c.published, c.clients = declared, true, cfg.HostLabels("client")
	c.mu.Unlock()
	files, err := Files(cfg)
	if err != nil {
		return nil, err
	}
	revs := map[string]uint64{}
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		rev, err := c.publishGroup(ctx, g, commit, files, groups[g])
		if err != nil {
			return revs, err
		}
		revs[g] = rev
	}
	hostRevs := map[string]uint64{}
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		for _, h := range groups[g] {
			if _, ok := hostRevs[h]; !ok {
				hostRevs[h] = revs[g]
			}
		}
	}
	c.mu.Lock()
	c.lastCommit, c.revisions = commit, hostRevs
	c.mu.Unlock()
	return revs, nil
}

// Desired reads the last desired state of group; nil when there is none.
func (c *Controller) Desired(ctx context.Context, group string) (*agentwire.DesiredState, uint64, error) {
	st, err := c.js.Stream(ctx, agentwire.StreamDesired)
	if err != nil {
		return nil, 0, err
	}
	m, err := st.GetLastMsgForSubject(ctx, agentwire.DesiredSubject(group))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var d agentwire.DesiredState
	if err := json.Unmarshal(m.Data, &d); err != nil {
		return nil, m.Sequence, fmt.Errorf("desired state of %s (sequence %d): %w", group, m.Sequence, err)
	}
	return &d, m.Sequence, nil
}

// publishGroup writes one group's document with compare-and-swap on the
// subject's last sequence: a conflict (another controller wrote first)
// re-reads and tries again, so revisions never go backwards. An unchanged
// document is not republished.
func (c *Controller) publishGroup(ctx context.Context, group, commit string, files map[string][]byte, hosts []string) (uint64, error) {
	for attempt := 0; ; attempt++ {
		prev, seq, err := c.Desired(ctx, group)
		if err != nil && prev == nil && seq == 0 {
			return 0, err
		}
		next := agentwire.DesiredState{Version: agentwire.Version, Group: group, Revision: 1, ConfigCommit: commit,
			PublishedAt: time.Now().UTC(), Files: files, Hosts: hosts}
		if prev != nil {
			if sameContent(prev, &next) {
				return prev.Revision, nil
			}
			if err := c.checkDescends(group, commit, prev); err != nil {
				return prev.Revision, err
			}
			next.Revision = prev.Revision + 1
		}
		data, err := json.Marshal(next)
		if err != nil {
			return 0, err
		}
		_, err = c.js.Publish(ctx, agentwire.DesiredSubject(group), data, jetstream.WithExpectLastSequencePerSubject(seq))
		if err == nil {
			c.o.Log.WithFields(map[string]any{"group": group, "revision": next.Revision, "commit": commit}).Info("published desired state")
			return next.Revision, nil
		}
		if !isWrongLastSequence(err) || attempt >= 100 {
			return 0, fmt.Errorf("publishing desired state of %s: %w", group, err)
		}
	}
}

// checkDescends refuses to replace prev, the published desired state of
// group, with commit's when commit does not descend from prev's commit.
func (c *Controller) checkDescends(group, commit string, prev *agentwire.DesiredState) error {
	if c.o.Descends == nil || prev.ConfigCommit == commit || prev.ConfigCommit == "" {
		return nil
	}
	ok, err := c.o.Descends(commit, prev.ConfigCommit)
	if err == nil && ok {
		return nil
	}
	why := "it does not descend from it"
	if err != nil {
		why = "its ancestry is unknown here (" + err.Error() + ")"
	}
	return fmt.Errorf("desired state of %s: left at revision %d, commit %s, published by another controller: this controller's commit %s is not newer, %s",
		group, prev.Revision, short(prev.ConfigCommit), short(commit), why)
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// sameContent reports whether two documents carry the same configuration
// commit, files and hosts.
func sameContent(a, b *agentwire.DesiredState) bool {
	if a.ConfigCommit != b.ConfigCommit || !slices.Equal(a.Hosts, b.Hosts) || len(a.Files) != len(b.Files) {
		return false
	}
	keys := slices.Collect(maps.Keys(a.Files))
	sort.Strings(keys)
	for _, k := range keys {
		if bb, ok := b.Files[k]; !ok || !bytes.Equal(a.Files[k], bb) {
			return false
		}
	}
	return true
}
