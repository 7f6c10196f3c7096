package daemon

import (
	"fmt"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/metrics"
	"github.com/tend-sh/tend/core/model"
)

// FleetPresence is the optional part of a Fleet that knows which agents
// it heard from (core/fleet.Controller): the unmanaged agents and stale
// agent hosts, for the reports, /metrics and notifications.
type FleetPresence interface {
	// Presence saves what the controller heard and reports it at now;
	// nil while there is no controller (no agent mode).
	Presence(now time.Time) (*model.AgentPresence, error)
}

// addPresence puts the fleet's presence into the summary (summary.json's
// "agents", SUMMARY.md's sections) and each agent host's report ("agent"),
// when the fleet reports presence. A failure to save it is logged; what
// the controller knows is reported all the same.
func (d *Daemon) addPresence(p *pass, reports []model.Report, summary *model.FleetSummary, now time.Time) {
	fp, ok := d.o.Fleet.(FleetPresence)
	if d.o.Fleet == nil || !ok {
		return
	}
	pr, err := fp.Presence(now)
	if err != nil {
		d.log.WithError(err).Error("could not save or read the agents' presence")
	}
	if pr == nil {
		return
	}
	summary.Agents = pr
	stale := map[string]bool{}
	for _, s := range pr.Stale {
		stale[s.Host] = true
	}
	for i := range reports {
		r := &reports[i]
		if h := p.good.cfg.Hosts[r.Host]; h == nil || h.Transport != config.TransportAgent {
			continue
		}
		st := &model.AgentStatus{Stale: stale[r.Host]}
		if t, ok := pr.LastSeen[r.Host]; ok {
			st.LastSeen = &t
		}
		r.Agent = st
	}
	d.logPresence(pr)
}

// logPresence warns about unmanaged and stale agents when they differ
// from the last reconcile's (logged at debug level otherwise), so a
// daemon reconciling every minute does not repeat the warning.
func (d *Daemon) logPresence(pr *model.AgentPresence) {
	unmanaged, stale := []string{}, []string{}
	for _, u := range pr.Unmanaged {
		unmanaged = append(unmanaged, u.Host)
	}
	for _, s := range pr.Stale {
		stale = append(stale, s.Host)
	}
	key := fmt.Sprint(unmanaged, stale)
	level := logrus.WarnLevel
	if key == d.presenceLogged {
		level = logrus.DebugLevel
	}
	d.presenceLogged = key
	if len(unmanaged) > 0 {
		d.log.WithField("hosts", unmanaged).Log(level, "agents no configuration declares are running: declare them (tend hosts export --unmanaged)")
	}
	if len(stale) > 0 {
		d.log.WithFields(logrus.Fields{"hosts": stale, "stale_after": pr.StaleAfter}).Log(level, "declared agent hosts went silent")
	}
}

// observeAgents sets the agent gauges from the summary, when it has them.
func observeAgents(m *metrics.Metrics, s *model.FleetSummary) {
	if s == nil || s.Agents == nil {
		return
	}
	m.Agents.WithLabelValues(metrics.AgentsUnmanaged).Set(float64(len(s.Agents.Unmanaged)))
	m.Agents.WithLabelValues(metrics.AgentsStale).Set(float64(len(s.Agents.Stale)))
}
