package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/session"
)

// group is the newest desired state of one group and its configuration as
// loaded on this host.
type group struct {
	ds  *agentwire.DesiredState
	cfg *config.Config // nil when it did not load (err says why)
	err error
	ps  *session.Providers // started on first use, closed when replaced
}

// close stops the group's providers.
func (g *group) close() {
	if g != nil && g.ps != nil {
		g.ps.Close()
	}
}

// majorOK reports whether a message's wire version is one this agent reads.
func majorOK(v string) bool {
	major, _, _ := strings.Cut(v, ".")
	want, _, _ := strings.Cut(agentwire.Version, ".")
	return major == want
}

// decodeDesired decodes a desired-state message for group.
func decodeDesired(data []byte, group string) (*agentwire.DesiredState, error) {
	var ds agentwire.DesiredState
	if err := json.Unmarshal(data, &ds); err != nil {
		return nil, fmt.Errorf("desired state of group %s: %w", group, err)
	}
	if !majorOK(ds.Version) {
		return nil, fmt.Errorf("desired state of group %s: wire version %q, this agent reads %s", group, ds.Version, agentwire.Version)
	}
	if ds.Group != group {
		return nil, fmt.Errorf("desired state on group %s's subject names group %q", group, ds.Group)
	}
	return &ds, nil
}

// errNoDesired is a direct get that found no message: nothing published yet.
var errNoDesired = errors.New("no desired state published")

// fetchDesired reads the group's last desired state with a direct get.
func (a *Agent) fetchDesired(ctx context.Context, g string) (*agentwire.DesiredState, error) {
	subj := agentwire.DirectGetLast(agentwire.StreamDesired, agentwire.DesiredSubject(g))
	if a.o.JSDomain != "" {
		subj = "$JS." + a.o.JSDomain + ".API." + strings.TrimPrefix(subj, "$JS.API.")
	}
	ctx, cancel := context.WithTimeout(ctx, a.o.RequestTimeout)
	defer cancel()
	m, err := a.nc.RequestWithContext(ctx, subj, nil)
	if err != nil {
		return nil, fmt.Errorf("direct get of group %s's desired state: %w", g, err)
	}
	if st := m.Header.Get("Status"); st != "" {
		if st == "404" {
			return nil, errNoDesired
		}
		return nil, fmt.Errorf("direct get of group %s's desired state: status %s %s", g, st, m.Header.Get("Description"))
	}
	return decodeDesired(m.Data, g)
}

// loadGroup materialises ds's files and loads them; the host's own block
// is reached through the local transport, whatever the controller reaches
// it by.
func (a *Agent) loadGroup(ds *agentwire.DesiredState) *group {
	g := &group{ds: ds}
	dir, err := a.st.materialise(ds)
	if err != nil {
		g.err = err
		return g
	}
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		g.err = fmt.Errorf("configuration of group %s at revision %d does not load: %s", ds.Group, ds.Revision, diags.Error())
		return g
	}
	if h := cfg.Hosts[a.o.Host]; h != nil {
		h.Transport = config.TransportLocal
	}
	g.cfg = cfg
	return g
}

// adopt keeps ds when it is newer than the group's revision: stored
// atomically, materialised and loaded. It reports whether it did.
func (a *Agent) adopt(ds *agentwire.DesiredState) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if cur := a.groups[ds.Group]; cur != nil && cur.ds.Revision >= ds.Revision {
		return false
	}
	if err := a.st.writeJSON(filepath.Join("desired", ds.Group+".json"), ds); err != nil {
		a.log.WithError(err).Error("could not store the desired state")
		return false
	}
	g := a.loadGroup(ds)
	if old := a.groups[ds.Group]; old != nil && old == a.inUse {
		a.retired = append(a.retired, old) // closed when the job ends
	} else {
		old.close()
	}
	a.groups[ds.Group] = g
	f := a.log.WithFields(map[string]any{"group": ds.Group, "revision": ds.Revision, "config_commit": ds.ConfigCommit})
	if g.err != nil {
		f.WithError(g.err).Error("new desired state kept, but its configuration does not load")
	} else {
		f.Info("new desired state")
		a.signal(a.scanNow) // its policies say what to scan
	}
	return true
}

// loadStored reads the desired states kept in the state directory.
func (a *Agent) loadStored() {
	for _, name := range a.o.Groups {
		var ds agentwire.DesiredState
		ok, err := a.st.readJSON(filepath.Join("desired", name+".json"), &ds)
		if err != nil {
			a.log.WithError(err).Warn("stored desired state unreadable; waiting for the controller's")
			continue
		}
		if ok && ds.Group == name {
			a.adopt(&ds)
		}
	}
}

// refresh reads every group's desired state from the server and adopts
// the newer ones.
func (a *Agent) refresh(ctx context.Context) {
	for _, g := range a.o.Groups {
		ds, err := a.fetchDesired(ctx, g)
		switch {
		case errors.Is(err, errNoDesired):
			a.log.WithField("group", g).Debug("no desired state published for the group yet")
		case err != nil:
			a.log.WithField("group", g).WithError(err).Warn("could not read the desired state")
		default:
			a.adopt(ds)
		}
	}
}

// revisions are the revisions the agent holds, by group.
func (a *Agent) revisions() map[string]uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]uint64{}
	for name, g := range a.groups {
		out[name] = g.ds.Revision
	}
	return out
}

// hostConfig returns the group whose configuration declares this host,
// the most recently published first.
func (a *Agent) hostConfig() *group {
	a.mu.Lock()
	defer a.mu.Unlock()
	var best *group
	for _, g := range a.groups {
		if g.cfg == nil || g.cfg.Hosts[a.o.Host] == nil {
			continue
		}
		if best == nil || g.ds.PublishedAt.After(best.ds.PublishedAt) || (g.ds.PublishedAt.Equal(best.ds.PublishedAt) && g.ds.Group < best.ds.Group) {
			best = g
		}
	}
	return best
}

// providers returns the group's provider session, opening it (lock file
// read, plugins started on first use) if needed.
func (a *Agent) providers(g *group) (*session.Providers, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if g.ps != nil {
		return g.ps, nil
	}
	ps, err := session.OpenProviders(g.cfg, a.o.Log)
	if err != nil {
		return nil, err
	}
	g.ps = ps
	return ps, nil
}
