package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/agentwire"
)

// Ungrouped is the desired-state group of agent hosts no config group
// matches.
const Ungrouped = agentwire.Ungrouped

// Options say how the controller reaches NATS and where it keeps things.
type Options struct {
	// URL is the NATS server (nats://host:port, several comma-separated).
	URL string
	// CredsFile is a NATS credentials file (user JWT and nkey seed).
	CredsFile string
	// NkeyFile holds the controller's nkey seed, for a server that trusts
	// nkeys directly (tend serve's embedded server).
	NkeyFile string
	// CAFile, CertFile and KeyFile are TLS options: the CA to verify the
	// server with, and a client certificate.
	CAFile, CertFile, KeyFile string
	// InventoryDir is where ingested scans are written, as tend scan does
	// (DIR/<host>/inventory.json). Empty: scans are not ingested.
	InventoryDir string
	// JobTimeout bounds the wait for an agent's result (default 30m); an
	// agent that does not answer in time fails as unreachable.
	JobTimeout time.Duration
	// Descends, if set, reports whether configuration commit descends
	// from base (or is base). A group whose published desired state is of
	// a commit the controller's own does not descend from is left alone:
	// a controller lagging behind another (or on rewritten history) never
	// publishes older configuration under a higher revision. Unset, any
	// commit may follow any other.
	Descends func(commit, base string) (bool, error)
	// StaleAfter is how long a declared agent host may stay silent before
	// it is stale (default DefaultStaleAfter).
	StaleAfter time.Duration
	// PresenceFile, if set, keeps what the controller heard from agents
	// across restarts (see PresenceFile); EnrolledDir, if set, is the
	// enrolled-keys directory (fleetauth.LoadEnrolled): a key there for a
	// host no configuration declares is an unmanaged agent.
	PresenceFile, EnrolledDir string
	// Log receives what the controller does (default: logrus standard).
	Log logrus.FieldLogger
}

// Controller is tend serve's side of agent mode over one NATS connection.
type Controller struct {
	o  Options
	nc *nats.Conn
	js jetstream.JetStream

	ctx    context.Context
	cancel context.CancelFunc
	subs   []*nats.Subscription
	stops  []jetstream.ConsumeContext

	mu         sync.Mutex
	dispatch   map[string]*dispatcher   // by jobs subject
	waiting    map[string]chan result   // by job id
	inflight   map[string]jetstream.Msg // job messages forwarded, by job id
	seen       map[string]time.Time     // host → last hello or scan
	hellos     map[string]agentwire.Hello
	declared   map[string]bool // agent hosts of the last published configuration
	lastCommit string
	revisions  map[string]uint64 // agent host → revision of its first group

	// Presence (presence.go), guarded by mu: known are all hosts of the
	// last published configuration; published is set once one was;
	// declaredSince is when each agent host was first declared; firstSeen
	// each host's first hello or scan; clients each host's client label.
	known         map[string]bool
	published     bool
	declaredSince map[string]time.Time
	firstSeen     map[string]time.Time
	clients       map[string]string
	// saveMu guards saved, the presence file's last written content, its
	// shape and when it was written.
	saveMu     sync.Mutex
	saved      string
	savedShape string
	savedAt    time.Time
}

func (c *Controller) commit() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastCommit
}

// Connect dials NATS with o's options and prepares the controller.
func Connect(ctx context.Context, o Options) (*Controller, error) {
	opts := []nats.Option{nats.Name("tend serve"), nats.MaxReconnects(-1)}
	if o.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(o.CredsFile))
	}
	if o.NkeyFile != "" {
		opt, err := nats.NkeyOptionFromSeed(o.NkeyFile)
		if err != nil {
			return nil, fmt.Errorf("controller nkey: %w", err)
		}
		opts = append(opts, opt)
	}
	if o.CAFile != "" {
		opts = append(opts, nats.RootCAs(o.CAFile))
	}
	if o.CertFile != "" || o.KeyFile != "" {
		opts = append(opts, nats.ClientCert(o.CertFile, o.KeyFile))
	}
	nc, err := nats.Connect(o.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w", o.URL, err)
	}
	c, err := New(ctx, nc, o)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// New prepares a controller on an open connection: it ensures the streams,
// starts scan ingest, result and hello listening. Close stops it (and
// closes nc).
func New(ctx context.Context, nc *nats.Conn, o Options) (*Controller, error) {
	if o.JobTimeout <= 0 {
		o.JobTimeout = 30 * time.Minute
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = DefaultStaleAfter
	}
	if o.Log == nil {
		o.Log = logrus.StandardLogger()
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	c := &Controller{o: o, nc: nc, js: js, dispatch: map[string]*dispatcher{}, waiting: map[string]chan result{},
		inflight: map[string]jetstream.Msg{}, seen: map[string]time.Time{}, hellos: map[string]agentwire.Hello{}, declared: map[string]bool{}, revisions: map[string]uint64{},
		known: map[string]bool{}, declaredSince: map[string]time.Time{}, firstSeen: map[string]time.Time{}, clients: map[string]string{}}
	if err := c.loadPresence(); err != nil {
		// Presence is a report, not a control: agent mode goes on without it.
		o.Log.WithError(err).Error("agent presence not restored; unmanaged and stale agents are counted from now")
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if o.InventoryDir != "" {
		if err := os.MkdirAll(o.InventoryDir, 0o755); err != nil {
			return nil, err
		}
	}
	if err := c.ensureStreams(ctx); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.listen(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Close stops the controller's consumers, saves the presence file and
// closes the connection.
func (c *Controller) Close() {
	c.cancel()
	c.mu.Lock()
	stops := append([]jetstream.ConsumeContext(nil), c.stops...)
	for _, d := range c.dispatch {
		stops = append(stops, d.cc)
	}
	c.mu.Unlock()
	for _, s := range stops {
		s.Stop()
	}
	for _, s := range c.subs {
		_ = s.Unsubscribe()
	}
	c.mu.Lock()
	f := c.presenceFile()
	c.mu.Unlock()
	if err := c.savePresence(&f, true); err != nil {
		c.o.Log.WithError(err).Error("could not save the agents' presence")
	}
	c.nc.Close()
}

// Streams are the stream configurations the controller ensures.
func Streams() []jetstream.StreamConfig {
	return []jetstream.StreamConfig{
		{Name: agentwire.StreamDesired, Subjects: []string{agentwire.PrefixDesired + ">"}, MaxMsgsPerSubject: 1, AllowDirect: true,
			Discard: jetstream.DiscardOld},
		{Name: agentwire.StreamResults, Subjects: []string{agentwire.PrefixResults + ">"}, Duplicates: 10 * time.Minute,
			MaxAge: 30 * 24 * time.Hour, MaxMsgsPerSubject: 1000, MaxMsgSize: 8 << 20},
		{Name: agentwire.StreamScans, Subjects: []string{agentwire.PrefixScans + ">"}, Duplicates: 10 * time.Minute,
			MaxAge: 7 * 24 * time.Hour, MaxMsgsPerSubject: 4, MaxMsgSize: 64 << 20},
		{Name: agentwire.StreamJobs, Subjects: []string{agentwire.PrefixJobs + ">"}, Retention: jetstream.WorkQueuePolicy,
			Duplicates: 10 * time.Minute, MaxAge: 7 * 24 * time.Hour},
	}
}

func (c *Controller) ensureStreams(ctx context.Context) error {
	for _, sc := range Streams() {
		if _, err := c.js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("stream %s: %w", sc.Name, err)
		}
	}
	return nil
}

// listen starts scan ingest, the results listener and hello tracking.
func (c *Controller) listen(ctx context.Context) error {
	sub, err := c.nc.Subscribe(agentwire.PrefixHello+"*", c.onHello)
	if err != nil {
		return err
	}
	c.subs = append(c.subs, sub)
	// Results: an ordered consumer from now on; a job's result always
	// comes after the job was sent.
	rc, err := c.js.OrderedConsumer(ctx, agentwire.StreamResults, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy})
	if err != nil {
		return fmt.Errorf("results consumer: %w", err)
	}
	cc, err := rc.Consume(c.onResult)
	if err != nil {
		return fmt.Errorf("results consumer: %w", err)
	}
	c.stops = append(c.stops, cc)
	if c.o.InventoryDir == "" {
		return nil
	}
	sc, err := c.js.CreateOrUpdateConsumer(ctx, agentwire.StreamScans, jetstream.ConsumerConfig{
		Durable: "tend-scan-ingest", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: 5, AckWait: 2 * time.Minute})
	if err != nil {
		return fmt.Errorf("scan consumer: %w", err)
	}
	cc, err = sc.Consume(c.onScan)
	if err != nil {
		return fmt.Errorf("scan consumer: %w", err)
	}
	c.stops = append(c.stops, cc)
	return nil
}

// isWrongLastSequence reports whether err is JetStream refusing a publish
// whose expected last subject sequence did not match.
func isWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence
}

// InventoryDir is where ingested scans are written.
func (c *Controller) InventoryDir() string { return c.o.InventoryDir }
