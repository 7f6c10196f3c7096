package notify

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// agents adds an unmanaged_agent event for every agent no configuration
// declares (one message per host while it stays unmanaged: its state does
// not change with each hello), and an agent_stale event for every declared
// agent host gone silent (again when it went silent anew, after it was
// heard from in between).
func (b *builder) agents() {
	p := b.in.Agents
	if p == nil {
		return
	}
	for _, u := range p.Unmanaged {
		e := Event{Kind: KindUnmanagedAgent, Severity: SeverityWarning, Host: u.Host, Labels: u.Labels, State: "unmanaged",
			Summary: fmt.Sprintf("an agent runs for %s, which no host block or hosts file declares: nothing patches or reports it", u.Host)}
		if u.LastSeen != nil {
			e.Details = append(e.Details, "last hello: "+u.LastSeen.UTC().Format(time.RFC3339))
		}
		if u.FirstSeen != nil {
			first := u.FirstSeen.UTC()
			e.Since = &first
		}
		if u.Enrolled {
			e.Details = append(e.Details, "its key is enrolled")
		}
		if u.AgentVersion != "" {
			e.Details = append(e.Details, "agent version: "+u.AgentVersion)
		}
		if f := facts(u.Facts); f != "" {
			e.Details = append(e.Details, "facts: "+f)
		}
		e.Details = append(e.Details, "declare it in a pull request: tend hosts export --unmanaged prints its hosts-file entry")
		b.add(e)
	}
	for _, s := range p.Stale {
		e := Event{Kind: KindAgentStale, Severity: SeverityWarning, Host: s.Host, Labels: b.hostLabels(s.Host)}
		if s.LastSeen != nil {
			last := s.LastSeen.UTC()
			e.Since, e.State = &last, last.Format(time.RFC3339)
			e.Summary = fmt.Sprintf("the agent of %s has not been heard from since %s (longer than %s)", s.Host, last.Format("2006-01-02 15:04 MST"), p.StaleAfter)
		} else {
			e.State = "never"
			e.Summary = fmt.Sprintf("the agent of %s has never been heard from (for longer than %s)", s.Host, p.StaleAfter)
		}
		b.add(e)
	}
}

// facts renders a hello's facts as "arch=amd64 os=debian …", sorted.
func facts(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, " ")
}
