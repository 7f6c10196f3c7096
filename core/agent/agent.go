package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/agentwire"
	"github.com/tend-sh/tend/core/journal"
)

// Options configure an agent.
type Options struct {
	// URLs are the NATS servers (nats://, tls://), tried in turn.
	URLs []string
	// Creds is a NATS credentials file (JWT and seed); NkeySeed a file
	// holding the host's nkey seed (tend agent enroll). At most one.
	Creds, NkeySeed string
	// CA is a PEM file of the CAs that sign the servers' certificates.
	CA string
	// JSDomain, when set, prefixes direct gets with the JetStream domain
	// ("$JS.<domain>.API."), for agents behind a leaf node.
	JSDomain string
	// Host is this host's name in the configuration; Groups are the host
	// groups whose desired state it follows.
	Host   string
	Groups []string
	// StateDir holds what the agent keeps (see the package documentation).
	StateDir string
	// ScanInterval is how often the host is scanned and the scan
	// published (it is also scanned after each job). Default 1h.
	ScanInterval time.Duration
	// RevisionInterval is how often, give or take a quarter at random,
	// the agent reads every group's desired state to catch an update it
	// missed (core NATS is at-most-once). Default 5m.
	RevisionInterval time.Duration
	// Heartbeat is how often the agent says hello. Default 1m.
	Heartbeat time.Duration
	// ReconnectMin and ReconnectMax bound the random wait before the first
	// reconnect attempt (default 10s and 30s); each failed attempt doubles
	// both, up to ReconnectCap (default 5m), so a fleet coming back after
	// a server restart does not reconnect as one herd.
	ReconnectMin, ReconnectMax, ReconnectCap time.Duration
	// RequestTimeout bounds a direct get or a JetStream publish. Default 30s.
	RequestTimeout time.Duration
	// AgentVersion is the tend version said in hello messages.
	AgentVersion string
	// Log receives what the agent does (default: discarded).
	Log *logrus.Logger
}

func (o *Options) defaults() error {
	if err := agentwire.ValidToken(o.Host); err != nil {
		return fmt.Errorf("host name: %w", err)
	}
	if len(o.Groups) == 0 {
		return errors.New("no group: name at least one group whose desired state the agent follows")
	}
	for _, g := range o.Groups {
		if err := agentwire.ValidToken(g); err != nil {
			return fmt.Errorf("group name: %w", err)
		}
	}
	if len(o.URLs) == 0 {
		return errors.New("no NATS server URL")
	}
	if o.Creds != "" && o.NkeySeed != "" {
		return errors.New("give a credentials file or an nkey seed, not both")
	}
	if o.StateDir == "" {
		return errors.New("no state directory")
	}
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&o.ScanInterval, time.Hour)
	set(&o.RevisionInterval, 5*time.Minute)
	set(&o.Heartbeat, time.Minute)
	set(&o.ReconnectMin, 10*time.Second)
	set(&o.ReconnectMax, 30*time.Second)
	set(&o.ReconnectCap, 5*time.Minute)
	set(&o.RequestTimeout, 30*time.Second)
	if o.ReconnectMax < o.ReconnectMin {
		o.ReconnectMax = o.ReconnectMin
	}
	if o.Log == nil {
		o.Log = logrus.New()
		o.Log.SetOutput(io.Discard)
	}
	return nil
}

// Agent is a running tend agent.
type Agent struct {
	o   Options
	log *logrus.Entry
	st  *store
	jnl *journal.Journal
	nc  *nats.Conn
	js  jetstream.JetStream

	mu      sync.Mutex
	groups  map[string]*group
	busy    string // the job being applied
	inUse   *group // its group
	retired []*group

	connected chan struct{}
	flush     chan struct{}
	scanNow   chan struct{}
	jobs      chan agentwire.Job
	flushMu   sync.Mutex
	// facts are the machine's facts its hellos carry, read at start.
	facts map[string]string
}

// Run runs the agent until ctx ends: it resumes a job its last process
// left unfinished, follows its groups' desired state, applies the jobs
// the controller sends, publishes scans and results. It returns an error
// only when it cannot start (options, state directory, credentials).
func Run(ctx context.Context, o Options) error {
	if err := o.defaults(); err != nil {
		return err
	}
	st, err := openStore(o.StateDir)
	if err != nil {
		return err
	}
	jnl, err := journal.Open(filepath.Join(o.StateDir, "journal"))
	if err != nil {
		if errors.Is(err, journal.ErrLocked) {
			return fmt.Errorf("another tend agent uses the state directory %s: %w", o.StateDir, err)
		}
		return err
	}
	defer jnl.Close()
	a := &Agent{o: o, log: o.Log.WithField("host", o.Host), st: st, jnl: jnl, groups: map[string]*group{}, facts: machineFacts(),
		connected: make(chan struct{}, 1), flush: make(chan struct{}, 1), scanNow: make(chan struct{}, 1),
		jobs: make(chan agentwire.Job, 1)}
	defer a.closeGroups()
	a.loadStored()
	pending := a.pendingJob()
	if err := a.connect(); err != nil {
		return err
	}
	defer a.nc.Close()
	if err := a.subscribe(); err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.worker(ctx, pending)
	}()
	a.loop(ctx)
	wg.Wait()
	return nil
}

func (a *Agent) closeGroups() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, g := range a.groups {
		g.close()
	}
	for _, g := range a.retired {
		g.close()
	}
}

// reconnectDelay is the wait before reconnect attempt n (from 1): random
// between the bounds, both doubled per earlier attempt, capped.
func reconnectDelay(o *Options, n int) time.Duration {
	lo, hi := o.ReconnectMin, o.ReconnectMax
	for i := 1; i < n && hi < o.ReconnectCap; i++ {
		lo, hi = lo*2, hi*2
	}
	lo, hi = min(lo, o.ReconnectCap), min(hi, o.ReconnectCap)
	if hi <= lo {
		return lo
	}
	return lo + rand.N(hi-lo)
}

func (a *Agent) connect() error {
	o := &a.o
	opts := []nats.Option{
		nats.Name("tend-agent " + o.Host),
		nats.CustomInboxPrefix("_INBOX_" + o.Host),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true),
		// A host not yet accepted (or revoked) keeps trying, at the
		// reconnect pace: the operator may accept its key at any time.
		nats.IgnoreAuthErrorAbort(),
		nats.CustomReconnectDelay(func(n int) time.Duration { return reconnectDelay(o, n) }),
		nats.ConnectHandler(func(*nats.Conn) { a.signal(a.connected) }),
		nats.ReconnectHandler(func(*nats.Conn) { a.signal(a.connected) }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			a.log.WithError(err).Warn("disconnected from NATS; working from the last desired state")
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			a.log.WithError(err).Warn("NATS")
		}),
		nats.ReconnectErrHandler(func() nats.ConnErrHandler {
			var last string // each new reason once at warning level
			return func(_ *nats.Conn, err error) {
				if err == nil {
					return
				}
				l := a.log.WithError(err)
				if err.Error() == last {
					l.Debug("could not connect to NATS; trying again")
					return
				}
				last = err.Error()
				l.Warn("could not connect to NATS; trying again (a host whose key is not accepted yet is refused until it is)")
			}
		}()),
	}
	switch {
	case o.Creds != "":
		if _, err := os.Stat(o.Creds); err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
		opts = append(opts, nats.UserCredentials(o.Creds))
	case o.NkeySeed != "":
		opt, err := nats.NkeyOptionFromSeed(o.NkeySeed)
		if err != nil {
			return fmt.Errorf("nkey seed %s: %w", o.NkeySeed, err)
		}
		opts = append(opts, opt)
	}
	if o.CA != "" {
		opts = append(opts, nats.RootCAs(o.CA))
	}
	nc, err := nats.Connect(joinURLs(o.URLs), opts...)
	if err != nil {
		return fmt.Errorf("NATS: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return err
	}
	a.nc, a.js = nc, js
	return nil
}

func joinURLs(urls []string) string {
	s := ""
	for i, u := range urls {
		if i > 0 {
			s += ","
		}
		s += u
	}
	return s
}

func (a *Agent) signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// subscribe follows the groups' desired-state subjects and the host's
// command subject (plain subscriptions: nats.go renews them on reconnect).
func (a *Agent) subscribe() error {
	for _, g := range a.o.Groups {
		g := g
		if _, err := a.nc.Subscribe(agentwire.DesiredSubject(g), func(m *nats.Msg) {
			ds, err := decodeDesired(m.Data, g)
			if err != nil {
				a.log.WithError(err).Warn("ignored a desired-state message")
				return
			}
			a.adopt(ds)
		}); err != nil {
			return err
		}
	}
	_, err := a.nc.Subscribe(agentwire.CommandSubject(a.o.Host), a.onJob)
	return err
}

// loop runs the periodic work until ctx ends.
func (a *Agent) loop(ctx context.Context) {
	scan := time.NewTimer(0) // the first scan once a configuration is known
	defer scan.Stop()
	rev := time.NewTimer(jitter(a.o.RevisionInterval))
	defer rev.Stop()
	beat := time.NewTicker(a.o.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.connected:
			a.log.WithField("server", a.nc.ConnectedUrlRedacted()).Info("connected to NATS")
			a.refresh(ctx)
			a.hello()
			a.signal(a.flush)
		case <-rev.C:
			a.refresh(ctx)
			rev.Reset(jitter(a.o.RevisionInterval))
		case <-beat.C:
			a.hello()
		case <-scan.C:
			a.scan(ctx)
			scan.Reset(a.o.ScanInterval)
		case <-a.scanNow:
			a.scan(ctx)
			scan.Reset(a.o.ScanInterval)
		case <-a.flush:
			a.flushOutbox(ctx)
		}
	}
}

// jitter is d give or take a quarter, at random.
func jitter(d time.Duration) time.Duration {
	q := d / 4
	if q <= 0 {
		return d
	}
	return d - q + rand.N(2*q)
}

// hello announces the agent (core NATS: a lost hello is repeated at the
// next heartbeat).
func (a *Agent) hello() {
	a.mu.Lock()
	busy := a.busy
	a.mu.Unlock()
	h := agentwire.Hello{Version: agentwire.Version, Host: a.o.Host, AgentVersion: a.o.AgentVersion,
		Groups: a.o.Groups, Revisions: a.revisions(), Facts: a.facts, At: time.Now().UTC(), Busy: busy}
	if err := a.publishCore(agentwire.HelloSubject(a.o.Host), h); err != nil {
		a.log.WithError(err).Debug("hello not sent")
	}
}
