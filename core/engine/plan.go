package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/hashicorp/hcl/v2"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/hostmatch"
	"github.com/tend-sh/tend/core/internal/configrepo"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
	"github.com/tend-sh/tend/core/reportcache"
	"github.com/tend-sh/tend/core/reportsbranch"
	"github.com/tend-sh/tend/core/reportsbranch/history"
	"github.com/tend-sh/tend/core/rollout"
	"github.com/tend-sh/tend/core/session"
	"github.com/tend-sh/tend/core/vuln"
)

// ErrConfig means the configuration has errors; they are in the returned
// diagnostics and nothing was planned.
var ErrConfig = errors.New("configuration has errors")

// PlanOptions are the inputs of a plan.
type PlanOptions struct {
	ConfigDir string
	// Inventory is "live", "git:REF" or a directory of snapshots.
	Inventory string
	Now       time.Time
	// TendVersion is recorded in saved plans.
	TendVersion string
	// Log receives provider logs and scan warnings (live inventory).
	Log *logrus.Logger
	// ScanProgress is told about each host a live plan scans.
	ScanProgress func(host string, err error)
	// ScanNow stamps a live scan's scanned_at (default time.Now): tend
	// apply --at runs on its own clock, so the updates it sees first are
	// first seen at that time.
	ScanNow func() time.Time
	// Hosts narrows the plan to the hosts these globs match (tend plan
	// --hosts): a live plan scans only those, and the plan lists only
	// them. Empty plans every host.
	Hosts hostmatch.Patterns
	// StaleAfter, when positive, warns about snapshots scanned more than
	// this before Now (planner.Input.StaleAfter).
	StaleAfter time.Duration
	// KeepProviders keeps the providers a live plan started (to scan and
	// resolve) running, in PlanResult.Providers, for an apply to reuse; the
	// caller closes them.
	KeepProviders bool
	// Lean is for a caller that needs the plan but not the installed
	// lists: the snapshots of a directory inventory then stream through
	// the planner (parsed in parallel as it plans), so memory grows with
	// the plan rather than with the fleet, and PlanResult.Inventory holds
	// them without their installed lists. The plan is the same.
	Lean bool
	// SnapshotBlobs asks for PlanResult.SnapshotBlobs (tend report
	// --commit: snapshots the reports branch holds byte for byte are kept
	// there without being encoded again). Not with Lean.
	SnapshotBlobs bool
	// Reports, when set, is the per-host cache of tend report --commit: a
	// plan from a snapshot directory without feeds takes from it the plan
	// of each host whose inputs it has seen, without parsing the host's
	// snapshot (PlanResult.Reuse says which). Implies SnapshotBlobs.
	Reports *reportcache.Cache
}

// PlanResult is a plan and what was learned making it.
type PlanResult struct {
	Config *config.Config
	Saved  *model.SavedPlan
	// Inventory is what the plan was made from, by host.
	Inventory map[string]*model.Snapshot
	// SnapshotBlobs are, with PlanOptions.SnapshotBlobs and snapshots read
	// from a directory, the Git blob hash of each host's file as read. It
	// is nil when a vulnerability feed annotated the snapshots, whose
	// encoding then differs from the files.
	SnapshotBlobs map[string]plumbing.Hash
	// Diagnostics are the configuration's (warnings, or errors with ErrConfig).
	Diagnostics hcl.Diagnostics
	// History is what the plan took from earlier runs: with git:REF, what
	// tend serve recorded there; otherwise the first-seen times CLI runs
	// kept in CONFIG/.tend/state and those on the copies of the reports
	// branch in the configuration's repository, the earliest winning.
	History planner.History
	// Source is the inventory source recorded in the plan.
	Source string
	// Recorded is what tend serve left on the reports branch a git:REF
	// plan was made from (nil for other inventory sources).
	Recorded *history.Recorded
	// LastApply is each host's last apply: with git:REF, what tend serve
	// recorded there; otherwise the latest of what CLI applies kept in
	// CONFIG/.tend/state and what the copies of the reports branch hold.
	LastApply map[string]*model.LastApply
	// Vulns are the feeds' facts by CVE the plan used (nil without feeds);
	// the inventory's CVEs were matched with the same feeds.
	Vulns map[string]model.Vuln
	// Providers are the running providers of a live plan made with
	// KeepProviders (nil otherwise); the caller closes them.
	Providers *session.Providers
	// Reuse is, for a plan made with PlanOptions.Reports, what it took from
	// the cache and what it planned afresh; nil when it could not reuse.
	Reuse *Reuse
}

// Load loads the configuration and reports ErrConfig if it has errors.
func Load(dir string) (*config.Config, hcl.Diagnostics, error) {
	cfg, diags := config.Load(dir)
	if diags.HasErrors() {
		return cfg, diags, ErrConfig
	}
	return cfg, diags, nil
}

// Plan loads the configuration and inventory and plans.
func Plan(ctx context.Context, o PlanOptions) (*PlanResult, error) {
	cfg, diags, err := Load(o.ConfigDir)
	res := &PlanResult{Config: cfg, Diagnostics: diags}
	if err != nil {
		return res, err
	}
	if err := checkSelected(cfg, o.Hosts); err != nil {
		return res, err
	}
	// What earlier runs learned is read first: a broken state file fails
	// the plan before a long scan.
	var hist planner.History
	var prior *earlier
	if rev, ok := strings.CutPrefix(o.Inventory, "git:"); ok {
		// The reports branch also holds what the daemon learned.
		if res.Recorded, err = readRecorded(o.ConfigDir, rev); err != nil {
			return res, err
		}
		hist, res.LastApply = rollout.History(res.Recorded.Rollouts), res.Recorded.LastApply
	} else {
		if prior, err = readEarlier(cfg, o.ConfigDir); err != nil {
			return res, err
		}
		hist, res.LastApply = prior.history(), prior.lastApply
	}
	// A plan from git:REF matches with the feeds tend serve left at REF
	// when the cache has none.
	rev, fromGit := strings.CutPrefix(o.Inventory, "git:")
	if !fromGit {
		rev = ""
	}
	db, feedInfos := VulnsAt(cfg, rev)
	var inv map[string]*model.Snapshot
	var source string
	var ps *session.Providers
	live := o.Inventory == "" || o.Inventory == "live"
	if live {
		inv, ps, err = scanLive(ctx, cfg, o, db)
		source = "live"
		if ps != nil && !o.KeepProviders {
			defer ps.Close()
		}
	}
	var stream *inventory.Stream
	if !live && o.Lean {
		stream, source, err = inventory.StreamSource(o.ConfigDir, o.Inventory, planner.Order(cfg))
		if stream != nil {
			defer stream.Close()
		}
	}
	var blobs map[string]plumbing.Hash
	var rs *reuseSource
	switch {
	case !live && stream == nil && err == nil && reuses(o, cfg):
		source = "dir:" + o.Inventory
		key := reuseKeys(cfg, o, configrepo.Commit(o.ConfigDir), hist, res.LastApply)
		if rs, err = openReuse(cfg, source, o.Inventory, o.Reports, key); err != nil {
			err = inventory.WithPathHint(err, o.ConfigDir, o.Inventory)
		} else {
			blobs = rs.blobs
		}
	case !live && stream == nil && err == nil && o.SnapshotBlobs:
		inv, blobs, source, err = inventory.ReadSourceBlobs(o.ConfigDir, o.Inventory)
	case !live && stream == nil && err == nil:
		inv, source, err = inventory.ReadSource(o.ConfigDir, o.Inventory)
	}
	if err != nil {
		return res, err
	}
	// Live scans were matched against the feeds as they were scanned;
	// snapshots read from elsewhere are matched now, with today's feeds
	// (a streamed snapshot as the planner takes it).
	var facts map[string]model.Vuln
	if db != nil {
		if !live && inv != nil {
			db.Annotate(inv)
			blobs = nil
		}
		facts = db.AllFacts()
	}
	in := planner.Input{
		Config:          cfg,
		Inventory:       inv,
		Now:             o.Now,
		Vulns:           facts,
		History:         hist,
		StaleAfter:      o.StaleAfter,
		Hosts:           o.Hosts,
		ConfigCommit:    configrepo.Commit(o.ConfigDir),
		InventorySource: source,
	}
	if stream != nil {
		in.Snapshots = stream.Next
		if db != nil {
			in.Snapshots = func(host string) *model.Snapshot {
				snap := stream.Next(host)
				if snap != nil {
					db.Annotate(map[string]*model.Snapshot{host: snap})
				}
				return snap
			}
		}
	}
	if rs != nil {
		in.Snapshots, in.Reuse, in.Planned = rs.next, rs.reuse, rs.planned
	}
	pl, warns := planner.Plan(in)
	if rs != nil {
		if inv, err = rs.inventory(); err != nil {
			return res, err
		}
		warns = planner.Coverage(in, pl, inv, warns)
		res.Reuse = rs.r
	}
	if stream != nil {
		// The hosts no policy names are read too: a malformed snapshot
		// fails the plan as it does read whole.
		stream.Rest()
		if err := stream.Err(); err != nil {
			return res, err
		}
		inv = stream.Kept()
		warns = planner.Coverage(in, pl, inv, warns)
	}
	pl.Config.Uncommitted = pl.Config.Commit != "" && configrepo.Uncommitted(o.ConfigDir, slices.Collect(maps.Keys(cfg.Sources)))
	// The transaction each host's actions really are: resolved now by the
	// providers (and recorded in the kept snapshots), or as the snapshots
	// recorded it.
	resolved := planner.Recorded(inv)
	if live {
		resolved = Resolve(ctx, ps, pl, inv, filepath.Join(cfg.Dir, inventory.DefaultDir), logOf(o.Log))
	}
	planner.CheckTransactions(cfg, pl, resolved)
	pl.Feeds = feedInfos
	if live && o.KeepProviders {
		res.Providers = ps
	}
	res.Inventory, res.History, res.Source, res.Vulns = inv, hist, source, facts
	res.SnapshotBlobs = blobs
	if prior != nil && recordsFirstSeen(o.ConfigDir, o.Inventory) {
		if err := recordFirstSeen(o.ConfigDir, prior, pl, inv, time.Now()); err != nil {
			if res.Providers != nil {
				res.Providers.Close()
				res.Providers = nil
			}
			return res, err
		}
	}
	res.Saved = &model.SavedPlan{
		FormatVersion: model.SavedPlanFormatVersion,
		TendVersion:   o.TendVersion,
		CreatedAt:     o.Now.UTC(),
		ConfigDigest:  cfg.Digest,
		Plan:          pl,
		Warnings:      warns,
	}
	return res, nil
}

// scanLive scans every targeted host and keeps the snapshots in
// CONFIG/.tend/inventory, where apply checks a saved plan's freshness. Hosts
// that fail to scan are logged and planned without inventory. The running
// providers are returned for the transactions to be resolved; the caller
// closes them.
func scanLive(ctx context.Context, cfg *config.Config, o PlanOptions, db *vuln.DB) (_ map[string]*model.Snapshot, kept *session.Providers, err error) {
	ps, err := session.OpenProviders(cfg, o.Log)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if kept == nil {
			ps.Close()
		}
	}()
	inv, err := session.Scan(ctx, cfg, ps, session.ScanOptions{Hosts: o.Hosts, OutDir: filepath.Join(cfg.Dir, inventory.DefaultDir), Progress: o.ScanProgress, Now: o.ScanNow, Annotate: Annotator(db)})
	switch {
	case ctx.Err() != nil:
		return nil, nil, ctx.Err()
	case err != nil && len(inv) == 0:
		return nil, nil, fmt.Errorf("no host could be scanned: %w", err)
	case err != nil && o.Log != nil:
		o.Log.Warnf("some hosts could not be scanned and are planned without inventory: %v", err)
	}
	return inv, ps, nil
}

// checkSelected refuses --hosts patterns that match no declared host.
func checkSelected(cfg *config.Config, hosts hostmatch.Patterns) error {
	if len(hosts) == 0 {
		return nil
	}
	for name := range cfg.Hosts {
		if hosts.Match(name) {
			return nil
		}
	}
	return fmt.Errorf("--hosts %s matches no declared host", strings.Join(hosts, ","))
}

// logOf is log, or a logger that discards.
func logOf(log *logrus.Logger) logrus.FieldLogger {
	if log == nil {
		return discardLog()
	}
	return log
}

// readRecorded reads Recorded at a revision of the Git repository holding
// dir.
func readRecorded(dir, rev string) (*history.Recorded, error) {
	t, err := reportsbranch.At(dir, rev)
	if err != nil {
		return nil, fmt.Errorf("git:%s: %w", rev, err)
	}
	rec, err := history.Read(t)
	if err != nil {
		return nil, fmt.Errorf("git:%s: %w", rev, err)
	}
	return rec, nil
}
