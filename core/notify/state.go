package notify

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/tend-sh/tend/core/internal/atomicfile"
)

// state is what the notifier remembers between reconciles and restarts
// (state.json): the conditions seen and when first, what each sink was
// sent, and each digest sink's events waiting for the digest.
type state struct {
	// FirstSeen is when each condition (Event.Key) was first seen; a
	// condition absent from a reconcile is forgotten.
	FirstSeen map[string]time.Time `json:"first_seen"`
	// Sent maps a sink to the fingerprint of each condition it was sent.
	Sent map[string]map[string]string `json:"sent"`
	// Digests holds each digest sink's waiting events.
	Digests map[string]*digest `json:"digests"`
	// SentAt holds each rate-limited sink's sends of the last hour.
	SentAt map[string][]time.Time `json:"sent_at,omitempty"`
}

// digest is a digest sink's events waiting to go out together.
type digest struct {
	Sink   Spec      `json:"sink"`
	Since  time.Time `json:"since"`
	Events []Event   `json:"events"`
}

func loadState(path string) (*state, error) {
	s := &state{}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(b, s); err != nil {
			return nil, err
		}
	}
	if s.FirstSeen == nil {
		s.FirstSeen = map[string]time.Time{}
	}
	if s.Sent == nil {
		s.Sent = map[string]map[string]string{}
	}
	if s.SentAt == nil {
		s.SentAt = map[string][]time.Time{}
	}
	if s.Digests == nil {
		s.Digests = map[string]*digest{}
	}
	return s, nil
}

func (s *state) save(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b)
}

// noteSent records a message sent to sink at t, for its rate limit.
func (s *state) noteSent(sink string, t time.Time) {
	s.SentAt[sink] = append(s.recentSends(sink, t), t)
}

// recentSends returns the sink's sends in the hour up to now, oldest first,
// and forgets older ones.
func (s *state) recentSends(sink string, now time.Time) []time.Time {
	var keep []time.Time
	for _, t := range s.SentAt[sink] {
		if now.Sub(t) < time.Hour {
			keep = append(keep, t)
		}
	}
	s.SentAt[sink] = keep
	return keep
}
