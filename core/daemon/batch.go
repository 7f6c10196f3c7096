package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/tend-sh/tend/core/internal/atomicfile"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/reportsbranch/history"
	"github.com/tend-sh/tend/core/rollout"
)

// Report commits are batched (Options.ReportInterval): a reconcile whose
// reports changed commits them only when the branch's last commit is at
// least the interval old. Otherwise it holds them back: nothing is lost,
// because everything they are made of stays in the state dir until a
// commit holds it (agents' scans in agents/inventory, apply results in the
// journal, which is compacted only after a commit, and the rollout states
// in reports-pending.json, written before the reconcile ends), and the next
// reconcile after the interval, which Run schedules, commits them all in one
// commit. One commit holds every client's changes, so a fleet-wide branch
// gets at most one commit per interval, and so does every client on it;
// each per-client branch (Options.ReportsPerClient) is held back by the
// same rule on its own head. A draining daemon's last reconcile commits
// what it holds.

// pendingFile holds the rollout states of reports held back, so a crash
// before their commit cannot forget a ring's progress or a halt.
const pendingFile = "reports-pending.json"

// pendingState is the content of pendingFile.
type pendingState struct {
	FormatVersion string                    `json:"format_version"`
	Branch        string                    `json:"branch"`
	Rollouts      map[string]*rollout.State `json:"rollouts"`
}

// commitDue returns when branch (at head, in the repository at repoPath)
// may get its next report commit: its head commit's time plus the report
// interval. Zero means now: no interval, a new branch, a draining daemon,
// or a head dated after now (another clock's commit must not hold the
// reports back for longer than the interval).
func (d *Daemon) commitDue(repoPath string, head plumbing.Hash, now time.Time) (time.Time, error) {
	if d.o.ReportInterval <= 0 || head.IsZero() || d.draining() {
		return time.Time{}, nil
	}
	repo, err := gogit.PlainOpen(repoPath)
	if err != nil {
		return time.Time{}, err
	}
	c, err := repo.CommitObject(head)
	if err != nil {
		return time.Time{}, fmt.Errorf("reports branch head %s: %w", head, err)
	}
	if c.Committer.When.After(now) {
		return time.Time{}, nil
	}
	return c.Committer.When.Add(d.o.ReportInterval), nil
}

// hold records that this reconcile's reports wait until due: the rollout
// states go to the state dir, the branch cache keeps them for the next
// reconcile (not as what the branch holds), and Run wakes at due.
func (d *Daemon) hold(branch string, t *reportsbranch.Tree, rec *history.Recorded, due time.Time) error {
	b, err := json.MarshalIndent(pendingState{FormatVersion: "1", Branch: branch, Rollouts: rec.Rollouts}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(d.o.StateDir, pendingFile), append(b, '\n')); err != nil {
		return fmt.Errorf("holding reports back: %w", err)
	}
	c := &branchCache{head: t.Head, prev: rec}
	if old := d.cache; old != nil && old.head == t.Head {
		c.sums = old.sums // still what the branch holds
	}
	d.cache = c
	d.setReportsDue(due)
	return nil
}

// released clears what hold recorded, once a commit holds it.
func (d *Daemon) released() {
	if err := os.Remove(filepath.Join(d.o.StateDir, pendingFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		d.log.WithError(err).Warn("could not remove the reports held back")
	}
	d.setReportsDue(time.Time{})
}

// withPending returns prev with the rollout states of reports held back
// for branch laid over it (a daemon restarted before their commit).
func (d *Daemon) withPending(branch string, prev *history.Recorded) (*history.Recorded, error) {
	b, err := os.ReadFile(filepath.Join(d.o.StateDir, pendingFile))
	if errors.Is(err, os.ErrNotExist) {
		return prev, nil
	}
	if err != nil {
		return nil, err
	}
	var p pendingState
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", pendingFile, err)
	}
	if p.Branch != branch || len(p.Rollouts) == 0 {
		return prev, nil
	}
	out := *prev
	out.Rollouts = maps.Clone(prev.Rollouts)
	if out.Rollouts == nil {
		out.Rollouts = map[string]*rollout.State{}
	}
	maps.Copy(out.Rollouts, p.Rollouts)
	return &out, nil
}

func (d *Daemon) setReportsDue(t time.Time) {
	d.mu.Lock()
	d.reportsDue = t
	d.mu.Unlock()
}

// ReportsDue is when the reports held back are committed, zero when none
// are.
func (d *Daemon) ReportsDue() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reportsDue
}

// nextWait shortens the wait for the next reconcile to when reports held
// back are due.
func (d *Daemon) nextWait(wait time.Duration) time.Duration {
	due := d.ReportsDue()
	if due.IsZero() {
		return wait
	}
	return max(min(wait, due.Sub(d.o.Now())), 0)
}
