package daemon

import (
	"context"
	"path/filepath"

	"github.com/tend-sh/tend/core/notify"
	"github.com/tend-sh/tend/core/notify/sink"
)

// openNotifier opens the notification outbox in the state dir and starts
// its worker, which also sends what an earlier process left there.
func openNotifier(o Options) (*notify.Notifier, error) {
	n, err := notify.Open(notify.Options{Dir: filepath.Join(o.StateDir, "notify"), Sender: sink.New, Log: o.Log,
		Metrics: o.Metrics, MinBackoff: o.NotifyBackoff, Now: o.Now})
	if err != nil {
		return nil, err
	}
	n.Start()
	return n, nil
}

// notify hands the conditions a finished reconcile saw to the notifier,
// under the sinks of the configuration that governed. It only writes the
// outbox; sending happens in the notifier's worker, so a slow or absent
// receiver never holds up a reconcile.
func (d *Daemon) notify(p *pass) {
	if d.notifier == nil || p.good == nil {
		return
	}
	in := notify.Input{Config: p.good.cfg, ConfigCommit: p.good.commit.String(), Reports: p.reports,
		Summary: p.out.Summary, ScanErrors: p.scanErrs, Now: p.now}
	if s := p.out.Summary; s != nil {
		in.Agents = s.Agents
	}
	if d.o.Expiring != nil {
		in.Expiring = d.o.Expiring(p.good.cfg, p.now)
	}
	if s := p.stall; s != nil {
		in.Rejected = &notify.Rejection{Commit: p.out.Head, State: s.Reason, Problem: s.Error(), Diagnostics: s.Diagnostics}
	}
	if err := d.notifier.Publish(notify.Specs(p.good.cfg), notify.Events(in)); err != nil {
		d.log.WithError(err).Error("notify: could not queue notifications")
	}
}

// FlushNotifications makes one attempt at every notification that is due,
// bounded by ctx: tend serve --once calls it before it exits. What is not
// sent stays in the outbox for the next run.
func (d *Daemon) FlushNotifications(ctx context.Context) {
	if d.notifier != nil {
		d.notifier.Flush(ctx)
	}
}
