package notify

import "fmt"

// Headline is the message's title in one line.
func (m *Message) Headline() string {
	if !m.Digest && len(m.Events) == 1 {
		e := m.Events[0]
		return fmt.Sprintf("%s: %s", Title(e.Kind), e.Summary)
	}
	return fmt.Sprintf("tend digest: %d %s", len(m.Events), plural(len(m.Events), "event", "events"))
}

// Severity is the highest severity among the message's events.
func (m *Message) Severity() string {
	best := SeverityInfo
	for _, e := range m.Events {
		if severityRank(e.Severity) > severityRank(best) {
			best = e.Severity
		}
	}
	return best
}

// Facts are an event's what-and-where as label/value pairs, in order.
func (e *Event) Facts() [][2]string {
	var out [][2]string
	add := func(k, v string) {
		if v != "" {
			out = append(out, [2]string{k, v})
		}
	}
	add("Severity", e.Severity)
	add("Host", e.Host)
	add("Policy", e.Policy)
	add("Client", e.Labels["client"])
	if len(e.ConfigCommit) >= 7 {
		add("Config", e.ConfigCommit[:7])
	}
	if e.Until != nil {
		add("Until", e.Until.UTC().Format("2006-01-02"))
	}
	if e.Since != nil && e.Kind == KindRebootPending {
		add("Since", e.Since.UTC().Format("2006-01-02 15:04 MST"))
	}
	if e.Since != nil && e.Kind == KindStale && e.State != staleNever {
		add("Last scan", e.Since.UTC().Format("2006-01-02 15:04 MST"))
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
