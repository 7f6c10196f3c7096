package notify

import (
	"maps"
	"slices"
	"time"
)

// Routes reports whether the sink gets the event at now: its kind, its
// severity, its labels and, for the kinds that have one, its threshold.
func (s *Spec) Routes(e *Event, now time.Time) bool {
	if len(s.OnlyOn) > 0 && !slices.Contains(s.OnlyOn, e.Kind) {
		return false
	}
	if severityRank(e.Severity) < severityRank(s.MinSeverity) {
		return false
	}
	for k, v := range s.Match {
		if e.Labels[k] != v {
			return false
		}
	}
	switch e.Kind {
	case KindRebootPending:
		return e.Since != nil && now.Sub(*e.Since) >= s.RebootPendingAfter
	case KindExclusionExpiring, KindSuspendExpiring:
		return e.Until != nil && e.Until.Sub(now) <= s.ExpiringWithin
	case KindStale:
		return e.Since != nil && now.Sub(*e.Since) >= s.StaleAfter
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
