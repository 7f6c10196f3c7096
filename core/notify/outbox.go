package notify

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/internal/atomicfile"
)

// Message is one message to one sink: an event, or a digest of several.
// Its file in the outbox is the record that it is still to be sent.
type Message struct {
	ID     string  `json:"id"`
	Sink   Spec    `json:"sink"`
	Digest bool    `json:"digest"`
	Events []Event `json:"events"`
	// CreatedAt is when the message was queued; it expires Options.Expire
	// later if it could not be sent by then.
	CreatedAt   time.Time `json:"created_at"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt"`
	LastError   string    `json:"last_error,omitempty"`
}

// outbox is a directory of messages, one JSON file each, named so that a
// listing is in the order they were queued.
type outbox struct{ dir string }

// newID returns a message id: 16 random hex digits.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (o outbox) path(m *Message) string {
	return filepath.Join(o.dir, fmt.Sprintf("%020d-%s.json", m.CreatedAt.UnixNano(), m.ID))
}

// put writes the message (atomically: a reader sees the old or the new
// file, a crash leaves one of them).
func (o outbox) put(m *Message) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(o.path(m), b)
}

// remove deletes a sent or expired message.
func (o outbox) remove(m *Message) error {
	if err := os.Remove(o.path(m)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// list reads every message, oldest first. A file that does not decode is
// moved aside (…json.bad) and reported, so one bad file stops nothing.
func (o outbox) list() ([]*Message, []error) {
	entries, err := os.ReadDir(o.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, []error{err}
	}
	var out []*Message
	var errs []error
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".json") {
			continue
		}
		p := filepath.Join(o.dir, n)
		b, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var m Message
		if err := json.Unmarshal(b, &m); err != nil || m.ID == "" {
			errs = append(errs, fmt.Errorf("outbox message %s does not decode (moved aside): %v", n, err))
			_ = os.Rename(p, p+".bad")
			continue
		}
		out = append(out, &m)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, errs
}
