package notify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/metrics"
)

// Sender delivers a message to one sink (see core/notify/sink).
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// Options configure a Notifier.
type Options struct {
	// Dir holds the outbox and state.json (tend serve: STATE_DIR/notify).
	Dir string
	// Sender returns the sender for a sink; it is asked for each message.
	Sender func(Spec) (Sender, error)
	Log    *logrus.Logger
	// Metrics, when set, counts messages by sink and result and gauges
	// the outbox.
	Metrics *metrics.Metrics
	// MinBackoff is the wait after a message's first failed attempt
	// (default 5s); each further failure doubles it, up to MaxBackoff
	// (default 10m).
	MinBackoff, MaxBackoff time.Duration
	// Expire is how long a message is tried before it is dropped (default
	// 7 days); dropping is logged and counted.
	Expire time.Duration
	// Timeout bounds one attempt (default 30s).
	Timeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Notifier routes events to sinks and delivers them from its outbox.
type Notifier struct {
	o         Options
	box       outbox
	statePath string

	mu sync.Mutex // guards st, changed and the files
	st *state
	// changed says st differs from state.json.
	changed bool
	// sending serialises deliveries (the worker's and Flush's), so no
	// message is sent twice at once.
	sending sync.Mutex

	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

// Open reads the notifier's state from o.Dir (created 0700 if needed). Call
// Start to begin delivering.
func Open(o Options) (*Notifier, error) {
	if o.Dir == "" || o.Sender == nil {
		return nil, errors.New("notify: no directory or sender")
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 5 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Minute
	}
	if o.Expire <= 0 {
		o.Expire = 7 * 24 * time.Hour
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = logrus.New()
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, "outbox"), 0o700); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	n := &Notifier{o: o, box: outbox{filepath.Join(o.Dir, "outbox")}, statePath: filepath.Join(o.Dir, "state.json"),
		wake: make(chan struct{}, 1)}
	st, err := loadState(n.statePath)
	if err != nil {
		return nil, fmt.Errorf("notify: %s: %w", n.statePath, err)
	}
	n.st = st
	return n, nil
}

// Start runs the delivery worker until Close.
func (n *Notifier) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel, n.done = cancel, make(chan struct{})
	go n.work(ctx)
}

// Close stops the worker and waits for it; undelivered messages stay in
// the outbox for the next Start.
func (n *Notifier) Close() {
	if n.cancel != nil {
		n.cancel()
		<-n.done
		n.cancel = nil
	}
}

// Publish routes the conditions a reconcile saw to the sinks and queues
// what is new for each: written to the outbox (or the sink's digest)
// before Publish returns; the worker sends it. events must be every
// condition that holds now: a condition absent from events has cleared,
// and is sent again if it returns.
func (n *Notifier) Publish(sinks []Spec, events []Event) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.o.Now()
	seen := map[string]time.Time{}
	for i := range events {
		e := &events[i]
		first, ok := n.st.FirstSeen[e.Key()]
		if !ok {
			first = now
		}
		seen[e.Key()] = first
		if e.Since == nil {
			e.Since = &first
		}
		if e.At.IsZero() {
			e.At = now
		}
	}
	n.st.FirstSeen = seen
	sent := map[string]map[string]string{}
	var errs []error
	for _, s := range sinks {
		had, kept := n.st.Sent[s.Name], map[string]string{}
		var fresh []Event
		for _, e := range events {
			if !s.Routes(&e, now) {
				continue
			}
			fp := e.Fingerprint()
			kept[e.Key()] = fp
			if had[e.Key()] != fp {
				fresh = append(fresh, e)
			}
		}
		sent[s.Name] = kept
		if err := n.queue(s, fresh, now); err != nil {
			// Not recorded as sent: the next reconcile queues them again.
			sent[s.Name] = had
			errs = append(errs, err)
		}
	}
	n.st.Sent = sent
	errs = append(errs, n.flushDigests(now), n.st.save(n.statePath))
	n.changed = false
	n.poke()
	return errors.Join(errs...)
}

// queue writes a sink's new events to the outbox, one message each, or
// adds them to its digest.
func (n *Notifier) queue(s Spec, events []Event, now time.Time) error {
	if len(events) == 0 {
		return nil
	}
	if s.Digest > 0 {
		d := n.st.Digests[s.Name]
		if d == nil {
			d = &digest{Since: now}
			n.st.Digests[s.Name] = d
		}
		d.Sink = s
		d.Events = append(d.Events, events...)
		return nil
	}
	var errs []error
	for _, e := range events {
		errs = append(errs, n.box.put(&Message{ID: newID(), Sink: s, Events: []Event{e}, CreatedAt: now, NextAttempt: now}))
	}
	return errors.Join(errs...)
}

// flushDigests moves every digest that is due to the outbox as one
// message; the caller saves the state.
func (n *Notifier) flushDigests(now time.Time) error {
	for _, name := range sortedKeys(n.st.Digests) {
		d := n.st.Digests[name]
		if len(d.Events) == 0 || now.Sub(d.Since) < d.Sink.Digest {
			continue
		}
		m := &Message{ID: newID(), Sink: d.Sink, Digest: true, Events: d.Events, CreatedAt: now, NextAttempt: now}
		if err := n.box.put(m); err != nil {
			return err
		}
		delete(n.st.Digests, name)
		n.changed = true
	}
	return nil
}

// saveIfChanged writes state.json if the state changed; the caller holds
// mu.
func (n *Notifier) saveIfChanged() {
	if !n.changed {
		return
	}
	if err := n.st.save(n.statePath); err != nil {
		n.o.Log.WithError(err).Error("notify: could not save the state")
		return
	}
	n.changed = false
}

// poke wakes the worker; it never blocks.
func (n *Notifier) poke() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Flush makes one attempt now at every message that is due, and returns
// when they are done (tend serve --once sends before it exits); what fails
// stays in the outbox for the next process.
func (n *Notifier) Flush(ctx context.Context) {
	n.deliver(ctx)
}

// Pending returns the messages in the outbox, oldest first.
func (n *Notifier) Pending() []*Message {
	n.mu.Lock()
	defer n.mu.Unlock()
	ms, _ := n.box.list()
	return ms
}
