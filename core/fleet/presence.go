package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/fleetauth"
	"github.com/tend-sh/tend/core/internal/atomicfile"
	"github.com/tend-sh/tend/core/model"
)

// DefaultStaleAfter is how long a declared agent host may stay silent
// before it is stale: three of the agent's default scan intervals (1h),
// or 180 of its default heartbeats.
const DefaultStaleAfter = 3 * time.Hour

// ForgetAfter is how long an undeclared agent that stopped saying hello
// stays reported as unmanaged: a machine gone for 30 days is taken for
// decommissioned and forgotten (its enrolled key, if any, still counts).
const ForgetAfter = 30 * 24 * time.Hour

// PresenceFormatVersion is the format_version of the presence file.
const PresenceFormatVersion = "1"

// PresenceFile is what the controller keeps of the agents it heard from
// (Options.PresenceFile, STATE_DIR/agents/presence.json in tend serve), so
// that unmanaged and stale agents survive a restart and tend hosts export
// can read them offline.
type PresenceFile struct {
	FormatVersion string `json:"format_version"`
	// Published is set once a configuration was published: before that
	// no agent is known to be unmanaged.
	Published bool `json:"published"`
	// Hosts are every host heard from or declared, sorted by name.
	Hosts []PresenceHost `json:"hosts"`
}

// PresenceHost is one host of the presence file.
type PresenceHost struct {
	Host string `json:"host"`
	// Declared: the last published configuration declares the host (a
	// host block or hosts-file entry, of any transport). Agent: it
	// declares it with transport "agent"; DeclaredSince is since when.
	Declared      bool       `json:"declared"`
	Agent         bool       `json:"agent"`
	DeclaredSince *time.Time `json:"declared_since,omitempty"`
	// FirstSeen and LastSeen are its agent's first and last hello, scan
	// or result; Hello its last hello.
	FirstSeen *time.Time       `json:"first_seen,omitempty"`
	LastSeen  *time.Time       `json:"last_seen,omitempty"`
	Hello     *agentwire.Hello `json:"hello,omitempty"`
}

// presenceFile is the controller's presence in its file form.
func (c *Controller) presenceFile() PresenceFile {
	hosts := map[string]*PresenceHost{}
	get := func(h string) *PresenceHost {
		if hosts[h] == nil {
			hosts[h] = &PresenceHost{Host: h}
		}
		return hosts[h]
	}
	for h := range c.known {
		get(h).Declared = true
	}
	for h := range c.declared {
		get(h).Agent = true
	}
	for h, t := range c.declaredSince {
		get(h).DeclaredSince = utcPtr(t)
	}
	for h, t := range c.firstSeen {
		get(h).FirstSeen = utcPtr(t)
	}
	for h, t := range c.seen {
		get(h).LastSeen = utcPtr(t)
	}
	for h, hello := range c.hellos {
		get(h).Hello = &hello
	}
	out := PresenceFile{FormatVersion: PresenceFormatVersion, Published: c.published, Hosts: []PresenceHost{}}
	for _, h := range slices.Sorted(maps.Keys(hosts)) {
		out.Hosts = append(out.Hosts, *hosts[h])
	}
	return out
}

func utcPtr(t time.Time) *time.Time {
	t = t.UTC()
	return &t
}

// restore takes what a presence file holds into the controller.
func (c *Controller) restore(f *PresenceFile) {
	c.published = f.Published
	for _, h := range f.Hosts {
		if h.Declared {
			c.known[h.Host] = true
		}
		if h.Agent {
			c.declared[h.Host] = true
		}
		if h.DeclaredSince != nil {
			c.declaredSince[h.Host] = *h.DeclaredSince
		}
		if h.FirstSeen != nil {
			c.firstSeen[h.Host] = *h.FirstSeen
		}
		if h.LastSeen != nil {
			c.seen[h.Host] = *h.LastSeen
		}
		if h.Hello != nil {
			c.hellos[h.Host] = *h.Hello
		}
	}
}

// ReadPresence reads a presence file; a missing file is an empty one.
func ReadPresence(path string) (*PresenceFile, error) {
	f := &PresenceFile{FormatVersion: PresenceFormatVersion}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("agent presence: %w", err)
	}
	if err := json.Unmarshal(b, f); err != nil {
		return nil, fmt.Errorf("agent presence %s: %w", path, err)
	}
	if f.FormatVersion != PresenceFormatVersion {
		return nil, fmt.Errorf("agent presence %s: format_version %q, this tend reads %q", path, f.FormatVersion, PresenceFormatVersion)
	}
	return f, nil
}

// Report computes the unmanaged agents and stale agent hosts at now: an
// agent heard from, or a key in enrolled (host → key, nil: none), whose
// host the published configuration does not declare is unmanaged; a
// declared agent host silent for longer than staleAfter (counted from
// when it was declared, if never heard from) is stale.
func (f *PresenceFile) Report(now time.Time, staleAfter time.Duration, enrolled map[string]string) model.AgentPresence {
	out := model.AgentPresence{StaleAfter: compactDuration(staleAfter), Unmanaged: []model.UnmanagedAgent{}, Stale: []model.StaleAgent{}}
	byHost := map[string]PresenceHost{}
	for _, h := range f.Hosts {
		byHost[h.Host] = h
	}
	if f.Published {
		names := slices.Collect(maps.Keys(byHost))
		for h := range enrolled {
			if _, ok := byHost[h]; !ok {
				names = append(names, h)
			}
		}
		slices.Sort(names)
		for _, name := range names {
			h, heard := byHost[name]
			_, isEnrolled := enrolled[name]
			if h.Declared || (!isEnrolled && (!heard || h.Hello == nil || forgotten(h, now))) {
				continue
			}
			u := model.UnmanagedAgent{Host: name, Enrolled: isEnrolled}
			if h.Hello != nil {
				u.FirstSeen, u.LastSeen = h.FirstSeen, h.LastSeen
				u.AgentVersion, u.Groups = h.Hello.AgentVersion, h.Hello.Groups
				u.Labels, u.Facts, u.Client = h.Hello.Labels, h.Hello.Facts, h.Hello.Labels["client"]
			}
			out.Unmanaged = append(out.Unmanaged, u)
		}
	}
	out.LastSeen = map[string]time.Time{}
	for _, h := range f.Hosts {
		if !h.Agent {
			continue
		}
		if h.LastSeen != nil {
			out.LastSeen[h.Host] = *h.LastSeen
		}
		last := h.LastSeen
		if last == nil {
			last = h.DeclaredSince
		}
		if last == nil || now.Sub(*last) <= staleAfter {
			continue
		}
		s := model.StaleAgent{Host: h.Host, LastSeen: h.LastSeen}
		out.Stale = append(out.Stale, s)
	}
	return out
}

// forgotten reports whether h, undeclared, was last heard from longer
// than ForgetAfter before now.
func forgotten(h PresenceHost, now time.Time) bool {
	return !h.Declared && h.LastSeen != nil && now.Sub(*h.LastSeen) > ForgetAfter
}

// forgetSilent drops the undeclared hosts not heard from for ForgetAfter.
// Called with c.mu held.
func (c *Controller) forgetSilent(now time.Time) {
	for h, last := range c.seen {
		if !c.known[h] && now.Sub(last) > ForgetAfter {
			delete(c.seen, h)
			delete(c.hellos, h)
			delete(c.firstSeen, h)
		}
	}
}

// Presence saves what the controller heard to Options.PresenceFile (when
// set and changed) and reports the unmanaged agents (including keys in
// Options.EnrolledDir for undeclared hosts) and stale agent hosts at now.
// Stale hosts carry their client label from the last configuration.
func (c *Controller) Presence(now time.Time) (*model.AgentPresence, error) {
	var errs []error
	enrolled := map[string]string{}
	if c.o.EnrolledDir != "" {
		var err error
		if enrolled, err = fleetauth.LoadEnrolled(c.o.EnrolledDir); err != nil {
			errs = append(errs, err)
		}
	}
	c.mu.Lock()
	c.forgetSilent(now)
	f := c.presenceFile()
	clients := c.clients
	c.mu.Unlock()
	if err := c.savePresence(&f, false); err != nil {
		errs = append(errs, err)
	}
	p := f.Report(now, c.o.StaleAfter, enrolled)
	for i := range p.Stale {
		p.Stale[i].Client = clients[p.Stale[i].Host]
	}
	return &p, errors.Join(errs...)
}

// presenceSaveEvery is how often the presence file is rewritten while
// only last-seen times changed (hosts heard from, declared or gone are
// saved at once): with thousands of agents saying hello every minute,
// every reconcile would rewrite it otherwise. A crash loses at most this
// much of the last-seen times, far below any stale threshold.
const presenceSaveEvery = 5 * time.Minute

// savePresence writes f to the presence file when its hosts changed, or
// when force is set or presenceSaveEvery passed and anything changed.
func (c *Controller) savePresence(f *PresenceFile, force bool) error {
	if c.o.PresenceFile == "" {
		return nil
	}
	shape := presenceShape(f)
	c.saveMu.Lock()
	defer c.saveMu.Unlock()
	if !force && shape == c.savedShape && time.Since(c.savedAt) < presenceSaveEvery {
		return nil
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if string(b) == c.saved {
		return nil
	}
	if err := atomicfile.Write(c.o.PresenceFile, b); err != nil {
		return fmt.Errorf("agent presence: %w", err)
	}
	c.saved, c.savedShape, c.savedAt = string(b), shape, time.Now()
	return nil
}

// presenceShape is what of f is saved at once when it changes: which
// hosts there are, whether declared, and whether and with what labels and
// groups their agent said hello.
func presenceShape(f *PresenceFile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%t\n", f.Published)
	for _, h := range f.Hosts {
		fmt.Fprintf(&b, "%s %t %t %t", h.Host, h.Declared, h.Agent, h.Hello != nil)
		if h.Hello != nil {
			fmt.Fprintf(&b, " %v %v %v", h.Hello.Groups, h.Hello.Labels, h.Hello.AgentVersion)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// loadPresence restores the presence file at start.
func (c *Controller) loadPresence() error {
	if c.o.PresenceFile == "" {
		return nil
	}
	f, err := ReadPresence(c.o.PresenceFile)
	if err != nil {
		return err
	}
	c.restore(f)
	return nil
}

// PresencePath is where tend serve keeps the presence file, under its
// state directory.
func PresencePath(stateDir string) string { return filepath.Join(stateDir, "agents", "presence.json") }

// EnrolledPath is the enrolled-keys directory under tend serve's state
// directory (HOST.pub files, fleetauth.Enroll).
func EnrolledPath(stateDir string) string { return filepath.Join(stateDir, "agents", "enrolled") }

// compactDuration is d as Go writes it without zero minutes and seconds
// ("3h", "1h30m", "90m" → "1h30m"); still a Go duration.
func compactDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// HostListEntries are the hosts-file entries that declare the unmanaged
// agents (tend hosts export --unmanaged): transport "agent" and the labels
// of each agent's hello; only the agents whose hello said client, when it
// is set.
func HostListEntries(agents []model.UnmanagedAgent, client string) []config.HostListEntry {
	out := []config.HostListEntry{}
	for _, u := range agents {
		if client != "" && u.Client != client {
			continue
		}
		out = append(out, config.HostListEntry{Name: u.Host, Transport: config.TransportAgent, Labels: u.Labels})
	}
	return out
}
