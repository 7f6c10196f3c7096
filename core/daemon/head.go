package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/hashicorp/hcl/v2"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/engine"
	"github.com/tend-sh/tend/core/internal/atomicfile"
	"github.com/tend-sh/tend/core/internal/words"
	"github.com/tend-sh/tend/core/render/diagnostics"
	"github.com/tend-sh/tend/plugins/lockfile"
)

// fetch brings the watched branch up to date. When that fails, the
// reconcile goes on from the last fetched commit or, with none, from the
// last good configuration (the status says fetch_failed); only with
// neither does it stop, to retry.
func (d *Daemon) fetch(ctx context.Context, p *pass) error {
	p.head, p.fetchErr = d.fetchHead(ctx, p.want)
	if !p.head.IsZero() {
		p.out.Head = p.head.String()
	}
	switch {
	case p.fetchErr == nil:
		return nil
	case !p.head.IsZero():
		d.log.WithError(p.fetchErr).WithField("commit", commitid.Short(p.out.Head)).Warn("fetch failed; working from the last fetched commit")
		return nil
	case d.lastGood() != nil:
		return nil
	}
	d.publish(p)
	return &RetryError{Reason: "fetch_failed", Err: p.fetchErr}
}

// fetchHead fetches the watched branch and returns its head; on failure it
// returns the last fetched head (possibly zero).
func (d *Daemon) fetchHead(ctx context.Context, want plumbing.Hash) (plumbing.Hash, error) {
	src := d.src
	if !want.IsZero() {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := src.WaitFor(wctx, want)
		cancel()
		if err != nil {
			d.log.WithError(err).WithField("commit", commitid.Short(want.String())).Warn("the pushed commit did not become visible")
		}
	}
	head, err := src.Fetch(ctx)
	if err != nil {
		last, herr := src.Head()
		if herr != nil {
			return plumbing.ZeroHash, err
		}
		return last, err
	}
	return head, nil
}

// judged reports whether the head needs no verifying or loading: there is
// none, it was rejected, or it is the configuration in force already.
func (d *Daemon) judged(p *pass) bool {
	if p.head.IsZero() || p.stall != nil {
		return true
	}
	g := d.lastGood()
	return g != nil && g.commit == p.head
}

// verify stalls a head whose signature is not trusted (when signers are
// configured) or that does not descend from the configuration in force.
func (d *Daemon) verify(_ context.Context, p *pass) error {
	if d.judged(p) {
		return nil
	}
	h := p.head
	if d.o.Verifier != nil {
		c, err := d.src.Commit(h)
		if err != nil {
			return &StallError{Reason: StateUnverified, Err: err}
		}
		signer, err := d.o.Verifier.Verify(c)
		if err != nil {
			return &StallError{Reason: StateUnverified, Err: fmt.Errorf("signature not trusted, not applied: %w", err)}
		}
		d.log.WithFields(logrus.Fields{"commit": commitid.Short(h.String()), "signer": signer.Identity, "key": signer.Fingerprint}).Info("commit signature verified")
	}
	if err := d.checkDescends(h); err != nil {
		return &StallError{Reason: StateInvalid, Err: err}
	}
	return nil
}

// checkDescends refuses a head that does not descend from the
// configuration in force: moving the branch back to an older commit (one
// from before a reject, with a downgrade pin) or rewriting it is no new
// configuration, even when its signature is trusted. Only the operator's
// AllowRewind for that commit lets it through, once. It returns the
// problem, nil when h may be applied.
func (d *Daemon) checkDescends(h plumbing.Hash) error {
	g := d.lastGood()
	if g == nil {
		return nil
	}
	ok, err := d.src.Descends(h, g.commit)
	if err == nil && ok {
		return nil
	}
	fields := logrus.Fields{"commit": h.String(), "in_force": g.commit.String()}
	if d.allowRewind != "" && strings.HasPrefix(h.String(), d.allowRewind) {
		d.allowRewind = ""
		d.log.WithFields(fields).Warn("the commit does not descend from the configuration in force; applying it anyway, as the operator allowed (AllowRewind)")
		return nil
	}
	hint := "not applied"
	if d.o.RewindHint != nil {
		hint += " (to apply it anyway, " + d.o.RewindHint(h.String()) + ")"
	}
	if err != nil {
		d.log.WithFields(fields).WithError(err).Error("cannot check that the commit descends from the configuration in force; it is refused")
		return fmt.Errorf("cannot tell whether commit %s descends from %s, the configuration in force: %w; %s", commitid.Short(h.String()), commitid.Short(g.commit.String()), err, hint)
	}
	d.log.WithFields(fields).Error("the branch was rewound or rewritten; the commit is refused")
	return fmt.Errorf("commit %s does not descend from %s, the configuration in force: the branch was rewound or rewritten; %s",
		commitid.Short(h.String()), commitid.Short(g.commit.String()), hint)
}

// load loads the verified head's configuration and makes it the one in
// force; one that does not load stalls the head.
func (d *Daemon) load(_ context.Context, p *pass) error {
	if d.judged(p) {
		return nil
	}
	l, err := d.loadCommit(p.head)
	if err != nil {
		return err
	}
	d.setGood(l)
	return nil
}

// loadCommit exports and loads a commit's configuration and checks its
// lock file. A configuration that does not load is a *StallError.
func (d *Daemon) loadCommit(h plumbing.Hash) (*loaded, error) {
	dir, err := d.src.Export(h, filepath.Join(d.o.StateDir, "config"))
	if err != nil {
		return nil, &StallError{Reason: StateInvalid, Err: err}
	}
	cfg, diags, err := engine.Load(dir)
	if err != nil {
		var lines []string
		for _, dg := range diags {
			if dg.Severity != hcl.DiagError {
				continue
			}
			lines = append(lines, diagnostics.Line(dg, dir))
		}
		n := len(lines)
		return nil, &StallError{Reason: StateInvalid, Diagnostics: lines,
			Err: fmt.Errorf("configuration has %d %s, not applied", n, words.Plural(n, "error", "errors"))}
	}
	if err := lockfile.Check(cfg); err != nil {
		return nil, &StallError{Reason: StateInvalid, Err: fmt.Errorf("%w; not applied", err)}
	}
	return &loaded{commit: h, dir: dir, cfg: cfg}, nil
}

// govern settles the configuration that governs, the head's or the last
// good one, and publishes the status. With none, the reconcile stops: a
// rejected head is committed to the reports branch first, where the team
// looks.
func (d *Daemon) govern(ctx context.Context, p *pass) error {
	p.good = d.lastGood()
	d.publish(p)
	if p.good == nil {
		if p.stall == nil {
			return &RetryError{Reason: "no_config", Err: ErrNoConfig}
		}
		if cerr := d.commitStatusOnly(ctx, p.out, d.o.ReportsBranch); cerr != nil {
			d.log.WithError(cerr).Error("could not commit the configuration status")
		}
		return &RetryError{Reason: "no_config", Err: fmt.Errorf("%w: %s", ErrNoConfig, p.stall.Err.Error())}
	}
	p.now = d.o.Now()
	return nil
}

// publish records in the outcome and the status which configuration
// governs and what became of the head's.
func (d *Daemon) publish(p *pass) {
	state, problem, diags := StateOK, "", []string(nil)
	switch {
	case p.stall != nil:
		state, problem, diags = p.stall.Reason, p.stall.Err.Error(), p.stall.Diagnostics
	case p.fetchErr != nil:
		state, problem = StateFetchFailed, p.fetchErr.Error()
	}
	if p.good != nil {
		p.out.Applied = p.good.commit.String()
	}
	p.out.State = state
	d.setStatus(func(s *Status) {
		s.Head, s.Applied, s.State, s.Problem, s.Diagnostics = p.out.Head, p.out.Applied, state, problem, diags
	})
}

func (d *Daemon) setStatus(f func(*Status)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(&d.status)
}

// lastGood returns the configuration in force: the last one loaded by this
// process or, after a restart, the commit recorded in the state dir.
func (d *Daemon) lastGood() *loaded {
	d.mu.Lock()
	g := d.good
	d.mu.Unlock()
	if g != nil {
		return g
	}
	b, err := os.ReadFile(filepath.Join(d.o.StateDir, "good-commit"))
	if err != nil {
		return nil
	}
	h := plumbing.NewHash(strings.TrimSpace(string(b)))
	if h.IsZero() {
		return nil
	}
	dir, err := d.src.Export(h, filepath.Join(d.o.StateDir, "config"))
	if err != nil {
		d.log.WithError(err).Warn("the last good configuration recorded in the state dir cannot be read")
		return nil
	}
	cfg, _, err := engine.Load(dir)
	if err != nil {
		return nil
	}
	g = &loaded{commit: h, dir: dir, cfg: cfg}
	d.mu.Lock()
	d.good = g
	d.mu.Unlock()
	return g
}

// setGood makes l the configuration in force and records it in the state
// dir, so a restart with a broken head still has it.
func (d *Daemon) setGood(l *loaded) {
	d.mu.Lock()
	prev := d.good
	d.good = l
	d.mu.Unlock()
	if prev != nil && prev.commit == l.commit {
		return
	}
	if err := atomicfile.Write(filepath.Join(d.o.StateDir, "good-commit"), []byte(l.commit.String()+"\n")); err != nil {
		d.log.WithError(err).Warn("could not record the good configuration commit")
	}
	if err := d.src.Prune(filepath.Join(d.o.StateDir, "config"), l.commit); err != nil {
		d.log.WithError(err).Debug("pruning old configuration exports")
	}
	d.log.WithField("commit", commitid.Short(l.commit.String())).Info("configuration in force")
}
