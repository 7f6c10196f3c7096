package notify

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"
)

// idle is the longest the worker sleeps between looks at the outbox.
const idle = 30 * time.Second

// work delivers messages until ctx ends: at once, whenever Publish pokes
// it, and when the next message or digest is due.
func (n *Notifier) work(ctx context.Context) {
	defer close(n.done)
	for {
		wait := n.deliver(ctx)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-n.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// deliver sends every message that is due, and returns how long until the
// next one is.
func (n *Notifier) deliver(ctx context.Context) time.Duration {
	n.sending.Lock()
	defer n.sending.Unlock()
	n.mu.Lock()
	now := n.o.Now()
	if err := n.flushDigests(now); err != nil {
		n.o.Log.WithError(err).Error("notify: could not queue a digest")
	}
	n.saveIfChanged()
	msgs, errs := n.box.list()
	n.mu.Unlock()
	for _, err := range errs {
		n.o.Log.WithError(err).Error("notify: outbox")
	}
	next := idle
	for _, d := range n.digestsDue(now) {
		next = min(next, d)
	}
	queued := 0
	for _, m := range msgs {
		if ctx.Err() != nil {
			return next
		}
		if wait := n.attempt(ctx, m); wait >= 0 {
			queued++
			next = min(next, wait)
		}
	}
	if met := n.o.Metrics; met != nil {
		met.NotificationsQueued.Set(float64(queued))
	}
	n.mu.Lock()
	n.saveIfChanged() // the sends the rate limit counts
	n.mu.Unlock()
	return max(next, 10*time.Millisecond)
}

// digestsDue returns how long until each waiting digest is due.
func (n *Notifier) digestsDue(now time.Time) []time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []time.Duration
	for _, d := range n.st.Digests {
		out = append(out, d.Since.Add(d.Sink.Digest).Sub(now))
	}
	return out
}

// attempt sends m if it is due and the sink's rate allows, and returns -1
// when m is done with (sent or expired) or how long until it is due again.
func (n *Notifier) attempt(ctx context.Context, m *Message) time.Duration {
	now := n.o.Now()
	log := n.o.Log.WithFields(logrus.Fields{"sink": m.Sink.Name, "type": m.Sink.Type, "message": m.ID, "events": len(m.Events)})
	if now.Sub(m.CreatedAt) > n.o.Expire {
		log.WithField("attempts", m.Attempts).WithField("last_error", m.LastError).Error("notify: message expired undelivered; dropped")
		n.count(m, "expired")
		n.done1(m)
		return -1
	}
	if wait := m.NextAttempt.Sub(now); wait > 0 {
		return wait
	}
	if wait := n.rateWait(m.Sink, now); wait > 0 {
		log.WithField("next_in", wait.Round(time.Second).String()).Debug("notify: rate limit reached; the message waits")
		return wait
	}
	err := n.send(ctx, m)
	if err == nil {
		log.WithField("attempts", m.Attempts+1).Info("notify: message sent")
		n.count(m, "sent")
		if m.Sink.RateLimit > 0 {
			n.mu.Lock()
			n.st.noteSent(m.Sink.Name, n.o.Now())
			n.changed = true
			n.mu.Unlock()
		}
		n.done1(m)
		return -1
	}
	if ctx.Err() != nil {
		return 0
	}
	m.Attempts++
	backoff := n.backoff(m.Attempts)
	m.NextAttempt, m.LastError = now.Add(backoff), err.Error()
	log.WithError(err).WithFields(logrus.Fields{"attempts": m.Attempts, "next_in": backoff.String()}).Warn("notify: sending failed; will retry")
	n.count(m, "failed")
	n.mu.Lock()
	if perr := n.box.put(m); perr != nil {
		log.WithError(perr).Error("notify: could not record the attempt")
	}
	n.mu.Unlock()
	return backoff
}

// send makes one attempt, bounded by the timeout.
func (n *Notifier) send(ctx context.Context, m *Message) error {
	s, err := n.o.Sender(m.Sink)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, n.o.Timeout)
	defer cancel()
	return s.Send(ctx, m)
}

// done1 removes a sent or expired message from the outbox.
func (n *Notifier) done1(m *Message) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.box.remove(m); err != nil {
		n.o.Log.WithError(err).WithField("message", m.ID).Error("notify: could not remove a delivered message")
	}
}

// backoff is the wait after the attempts-th failure.
func (n *Notifier) backoff(attempts int) time.Duration {
	d := n.o.MinBackoff
	for i := 1; i < attempts && d < n.o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, n.o.MaxBackoff)
}

// rateWait is how long the sink must wait before its next message, 0 when
// it may send now.
func (n *Notifier) rateWait(s Spec, now time.Time) time.Duration {
	if s.RateLimit <= 0 {
		return 0
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	times := n.st.recentSends(s.Name, now)
	if len(times) < s.RateLimit {
		return 0
	}
	return times[len(times)-s.RateLimit].Add(time.Hour).Sub(now)
}

func (n *Notifier) count(m *Message, result string) {
	if met := n.o.Metrics; met != nil {
		met.Notifications.WithLabelValues(m.Sink.Name, result).Inc()
	}
}
