package daemon

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/commitsig"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/gitsource"
	"github.com/tend-sh/tend/core/journal"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/notify"
	"github.com/tend-sh/tend/core/webhook"
)

// Options configure a Daemon.
type Options struct {
	// Git is the configuration repository. Its Dir defaults to
	// StateDir/repo.git; New opens it only once it holds the state dir's
	// lock, so a second daemon on the same state dir changes nothing.
	Git gitsource.Options
	// Verifier, when set, must trust the head commit's signature before its
	// configuration is applied.
	Verifier *commitsig.Verifier
	// AllowRewind names a commit (at least 7 hex digits of its hash) that
	// may be applied although it does not descend from the configuration
	// in force, once: the operator's consent to a rewound or rewritten
	// branch (tend serve --allow-rewind). Any other such head is refused.
	AllowRewind string
	// RewindHint, when set, says how the operator lets a refused commit
	// through (tend serve: restart with its --allow-rewind); it ends the
	// problem a refused rewind reports in status.json and /readyz.
	RewindHint func(commit string) string
	// StateDir holds the apply journal, exported configurations and the
	// last good commit.
	StateDir string
	// ReportsBranch overrides the configuration's tend { reports_branch }.
	ReportsBranch string
	// ReportInterval is the least time between two commits of a reports
	// branch (tend serve --report-interval, default there 1m): a reconcile
	// whose reports changed sooner holds them back for the next reconcile
	// after the interval (batch.go). Zero commits on every reconcile.
	ReportInterval time.Duration
	// ReportsPerClient also commits each client label's reports to a
	// branch of its own, reportsbranch.ClientBranch (tend serve
	// --reports-per-client; clients.go).
	ReportsPerClient bool
	// HTML adds the HTML compliance report to the reports branch, under
	// html/, in every commit of reports (tend serve --html).
	HTML bool
	// Interval is the time between polls (default 1m); each wait is
	// randomised by ±10% so a fleet of daemons does not fetch in step.
	Interval time.Duration
	// Log receives the daemon's and providers' logs.
	Log *logrus.Logger
	// Metrics, when set, is updated after every reconcile.
	Metrics *metrics.Metrics
	// Now is the clock (default time.Now).
	Now func() time.Time
	// FeedClient fetches the configuration's url feeds (default: a client
	// with a 10-minute timeout and the system's roots).
	FeedClient *http.Client
	// HTTPClient makes HTTP health checks (default http.DefaultClient).
	HTTPClient *http.Client
	// RebootTimeout bounds the wait for a host to come back after a reboot.
	RebootTimeout time.Duration
	// OnApplyStart, when set, is called as an apply begins, with the
	// configuration commit (tests and benchmarks).
	OnApplyStart func(commit string)
	// OnReconciled, when set, is called after every reconcile.
	OnReconciled func(*Outcome, error)
	// ScanInterval is how long a host's scan serves later reconciles
	// before the host is scanned again; zero scans every host on every
	// reconcile. A host is scanned again sooner when the configuration
	// asks a provider of it that its last scan lacks, when that scan
	// failed, and before anything is applied to it.
	ScanInterval time.Duration
	// ScanConcurrency is how many hosts are scanned, and have their
	// transactions resolved, at once (default 8).
	ScanConcurrency int
	// Fleet, if set, is the agent-mode controller (core/fleet): every
	// reconcile publishes the desired state of the configuration in force
	// through it, plans agent hosts from the scans their agents sent, and
	// applies them through it.
	Fleet Fleet
	// ScanOnly scans, plans and reports, and never applies: an
	// inventory-and-compliance-only deployment.
	ScanOnly bool
	// NotifyBackoff is the wait after a notification's first failed
	// attempt (default 5s; it doubles with each failure, up to 10m).
	NotifyBackoff time.Duration
	// Expiring lists what else ends soon under a configuration (suspends):
	// suspend_expiring notifications. Default: the suspend blocks of the
	// configuration's policies and hosts that have not ended.
	Expiring func(cfg *config.Config, now time.Time) []notify.Expiring
}

// Daemon runs reconciles one at a time.
type Daemon struct {
	o       Options
	log     *logrus.Logger
	journal *journal.Journal
	src     *gitsource.Source
	// run serialises reconciles, and guards allowRewind and cache.
	run sync.Mutex
	// allowRewind is Options.AllowRewind until it has been used.
	allowRewind string
	// cache is the reports branch as this daemon last saw it.
	cache *branchCache
	// wake carries webhook pushes to Run; it holds at most one pending
	// commit, the newest.
	wake chan plumbing.Hash

	mu     sync.Mutex
	good   *loaded // the last configuration that loaded and verified
	status Status
	// drain is closed by Drain: running hosts finish, no new ones start.
	drain     chan struct{}
	drainOnce sync.Once

	// scanCache holds the last successful scans, kept for ScanInterval;
	// guarded by run.
	scanCache scanCache
	// notifier sends notifications from the state dir's outbox.
	notifier *notify.Notifier
	// presenceLogged is the unmanaged and stale agents last logged as a
	// warning (presence.go); guarded by run.
	presenceLogged string
	// reportsDue is when reports held back are committed (batch.go), zero
	// when none are; guarded by mu. clientsAt is the fleet branch head
	// every client branch was last brought up to date with; guarded by run.
	reportsDue time.Time
	clientsAt  plumbing.Hash
}

// loaded is a configuration ready to govern.
type loaded struct {
	commit plumbing.Hash
	dir    string
	cfg    *config.Config
}

// Status is what /readyz and the reports' status.json say about the
// configuration.
type Status struct {
	// Reconciled is set once a reconcile finished (whatever its result).
	Reconciled bool
	// Head is the watched branch's last fetched commit; Applied is the
	// commit whose configuration governs (the last good one).
	Head, Applied string
	// State is "ok", "invalid" (the head's configuration has errors),
	// "unverified" (its signature is not trusted) or "fetch_failed".
	State string
	// Problem explains a state other than ok; Diagnostics are the
	// configuration's errors, "file:line:col: error: …".
	Problem     string
	Diagnostics []string
	// LastError is the last reconcile's failure, "" after a success.
	LastError string
	At        time.Time
}

// Config states of Status.State and status.json.
const (
	StateOK          = "ok"
	StateInvalid     = "invalid"
	StateUnverified  = "unverified"
	StateFetchFailed = "fetch_failed"
)

// New creates the daemon's state directory (0700) if needed, takes its
// lock, opens the journal and only then the configuration repository's
// clone in it. A state dir in use by another daemon fails with
// journal.ErrLocked, before anything in it was changed.
func New(o Options) (*Daemon, error) {
	if o.StateDir == "" {
		return nil, errors.New("daemon: no state directory")
	}
	if o.AllowRewind != "" && !validRewind(o.AllowRewind) {
		return nil, fmt.Errorf("allow rewind: %q is not a commit hash (7 to 40 hex digits)", o.AllowRewind)
	}
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Expiring == nil {
		o.Expiring = suspendsEnding
	}
	if o.Log == nil {
		o.Log = logrus.New()
	}
	if err := os.MkdirAll(o.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	j, err := journal.Open(filepath.Join(o.StateDir, "journal"))
	if err != nil {
		return nil, err
	}
	if o.Git.Dir == "" {
		o.Git.Dir = filepath.Join(o.StateDir, "repo.git")
	}
	if o.Git.Log == nil {
		o.Git.Log = o.Log
	}
	src, err := gitsource.Open(o.Git)
	if err != nil {
		j.Close()
		return nil, err
	}
	n, err := openNotifier(o)
	if err != nil {
		j.Close()
		return nil, err
	}
	return &Daemon{o: o, log: o.Log, journal: j, src: src, allowRewind: strings.ToLower(o.AllowRewind),
		wake: make(chan plumbing.Hash, 1), drain: make(chan struct{}), notifier: n}, nil
}

// validRewind reports whether s is 7 to 40 hex digits.
func validRewind(s string) bool {
	if len(s) < 7 || len(s) > 40 {
		return false
	}
	for _, c := range strings.ToLower(s) {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// Source returns the configuration repository.
func (d *Daemon) Source() *gitsource.Source { return d.src }

// Close stops sending notifications (what is unsent stays in the outbox)
// and releases the state directory.
func (d *Daemon) Close() error {
	if d.notifier != nil {
		d.notifier.Close()
	}
	return d.journal.Close()
}

// Status returns the configuration's state after the last reconcile.
func (d *Daemon) Status() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.status
	s.Diagnostics = append([]string(nil), s.Diagnostics...)
	return s
}

// Ready reports whether the daemon is ready: a reconcile finished and the
// head commit's configuration is the one in force. The message says why not.
func (d *Daemon) Ready() (bool, string) {
	s := d.Status()
	switch {
	case !s.Reconciled:
		return false, "no reconcile has finished yet"
	case s.State != StateOK:
		msg := fmt.Sprintf("configuration %s: %s", commitid.Short(s.Head), s.Problem)
		if len(s.Diagnostics) > 0 {
			msg += "\n" + strings.Join(s.Diagnostics, "\n")
		}
		if s.Applied != "" {
			msg += fmt.Sprintf("\nthe last good configuration %s stays in force", commitid.Short(s.Applied))
		}
		return false, msg
	case s.LastError != "":
		return false, "last reconcile failed: " + s.LastError
	}
	return true, fmt.Sprintf("configuration %s in force", commitid.Short(s.Applied))
}

// Notify asks Run for a reconcile of the pushed commit. It never blocks: a
// newer push replaces one not yet picked up.
func (d *Daemon) Notify(p webhook.Push) {
	h := plumbing.NewHash(p.After)
	for {
		select {
		case d.wake <- h:
			return
		default:
		}
		select {
		case <-d.wake:
		default:
		}
	}
}

// Drain makes the running reconcile finish the hosts it started and start
// no more; reports are still written. Run returns after that reconcile.
func (d *Daemon) Drain() { d.drainOnce.Do(func() { close(d.drain) }) }

func (d *Daemon) draining() bool {
	select {
	case <-d.drain:
		return true
	default:
		return false
	}
}

// Run reconciles at once, then on every interval tick or webhook push,
// until ctx ends or Drain was called. A failed reconcile is logged and
// retried at the next tick; Run itself only fails if it cannot start.
func (d *Daemon) Run(ctx context.Context) error {
	want := plumbing.ZeroHash
	for {
		if _, err := d.Reconcile(ctx, want); err != nil {
			entry := d.log.WithError(err)
			if r := (*RetryError)(nil); errors.As(err, &r) {
				entry = entry.WithField("reason", r.Reason)
			}
			entry.Error("reconcile failed")
		}
		if d.draining() || ctx.Err() != nil {
			return nil
		}
		wait := d.nextWait(jitter(d.o.Interval))
		d.log.WithField("next_in", wait.Round(time.Second).String()).Debug("waiting for the next reconcile")
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-d.drain:
			timer.Stop()
			return nil
		case want = <-d.wake:
			timer.Stop()
		case <-timer.C:
			want = plumbing.ZeroHash
		}
	}
}

// jitter spreads d by ±10%.
func jitter(d time.Duration) time.Duration {
	spread := int64(d) / 5
	if spread <= 0 {
		return d
	}
	return d - time.Duration(spread/2) + time.Duration(rand.Int64N(spread))
}
