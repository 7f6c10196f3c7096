package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/tend-sh/tend/core/model"
)

// agentTables writes SUMMARY.md's agent sections (tend serve's agent mode):
// the unmanaged agents — running for hosts no configuration declares — and
// the declared agent hosts whose agent went silent. Nothing when there are
// none.
func agentTables(b *strings.Builder, p *model.AgentPresence) {
	if p == nil {
		return
	}
	if len(p.Unmanaged) > 0 {
		fmt.Fprintf(b, "\n## Unmanaged agents\n\n%s %s for hosts no `host` block or hosts file declares: nothing patches or reports %s. "+
			"Declare %s in a pull request (`tend hosts export --unmanaged` prints the hosts-file entries).\n\n",
			commas(len(p.Unmanaged)), manyOf(len(p.Unmanaged), "agent runs", "agents run"), manyOf(len(p.Unmanaged), "it", "them"),
			manyOf(len(p.Unmanaged), "it", "them"))
		b.WriteString("| host | client | first seen | last seen | agent | facts |\n|---|---|---|---|---|---|\n")
		for i, u := range p.Unmanaged {
			if i == sumRows {
				b.WriteString(moreRow(len(p.Unmanaged)-i, 6))
				break
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", mdText(u.Host), orDash(mdText(u.Client)), seenAt(u.FirstSeen),
				seenAt(u.LastSeen), orDash(mdText(u.AgentText())), orDash(mdText(u.FactsText())))
		}
	}
	if len(p.Stale) > 0 {
		fmt.Fprintf(b, "\n## Silent agent hosts\n\n%s declared agent %s not heard from for longer than %s; %s reports show the last scan.\n\n",
			commas(len(p.Stale)), manyOf(len(p.Stale), "host was", "hosts were"), mdText(p.StaleAfter), manyOf(len(p.Stale), "its", "their"))
		b.WriteString("| host | client | last seen |\n|---|---|---|\n")
		for i, s := range p.Stale {
			if i == sumRows {
				b.WriteString(moreRow(len(p.Stale)-i, 3))
				break
			}
			fmt.Fprintf(b, "| %s | %s | %s |\n", mdText(s.Host), orDash(mdText(s.Client)), seenAt(s.LastSeen))
		}
	}
}

// seenAt is a first or last seen time, "never" when there is none.
func seenAt(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return formatTime(*t)
}

// manyOf is one when n is 1, else many.
func manyOf(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// agentsJSON is summary.json's "agents": [] for empty lists, times in
// whole seconds. p is not modified.
func agentsJSON(p *model.AgentPresence) *model.AgentPresence {
	out := *p
	out.Unmanaged = make([]model.UnmanagedAgent, len(p.Unmanaged))
	for i, u := range p.Unmanaged {
		u.FirstSeen, u.LastSeen = secondsPtr(u.FirstSeen), secondsPtr(u.LastSeen)
		out.Unmanaged[i] = u
	}
	out.Stale = make([]model.StaleAgent, len(p.Stale))
	for i, s := range p.Stale {
		s.LastSeen = secondsPtr(s.LastSeen)
		out.Stale[i] = s
	}
	return &out
}

// secondsPtr is seconds of *t; nil stays nil.
func secondsPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	s := seconds(*t)
	return &s
}
