package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/hashicorp/hcl/v2"
	"github.com/sirupsen/logrus"
	"github.com/tend-sh/tend/core/commitid"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/gitsource"
	"github.com/tend-sh/tend/core/internal/configrepo"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
)

// BaseResult is the plan of the configuration at another revision.
type BaseResult struct {
	Plan *model.Plan
	// Commit is the revision's commit.
	Commit string
	// Diagnostics are the base configuration's, with file names relative
	// to the configuration directory.
	Diagnostics hcl.Diagnostics
	Sources     map[string][]byte
}

// ErrBaseConfig means the configuration at the base revision has errors.
var ErrBaseConfig = errors.New("the base configuration has errors")

// PlanBase plans the configuration as it is at the Git revision rev (e.g.
// origin/main) with the inventory, time and history of res, so the two
// plans differ only by what the configuration change does. The directory
// res planned must be in a Git repository; its place in the work tree is
// looked up at rev. The work tree is not touched.
func PlanBase(res *PlanResult, configDir, rev string) (*BaseResult, error) {
	repo, err := configrepo.Open(configDir)
	if err != nil {
		return nil, err
	}
	_, rel, err := repo.WorkTree()
	if err != nil {
		return nil, err
	}
	hash, err := repo.Resolve(rev)
	if err != nil {
		return nil, fmt.Errorf("%w (fetch it first, e.g. git fetch origin main)", err)
	}
	tree, err := repo.Tree(hash, rel)
	if errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, fmt.Errorf("%s does not exist at %s: %w", rel, commitid.Short(hash.String()), err)
	}
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "tend-base-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := gitsource.WriteTree(repo.Storer, tree, tmp, discardLog()); err != nil {
		return nil, err
	}
	cfg, diags := config.Load(tmp)
	out := &BaseResult{Commit: hash.String(), Sources: map[string][]byte{}}
	// Name the base's files as they are in the repository.
	for _, d := range diags {
		if d.Subject != nil {
			d.Subject.Filename = relName(tmp, rev, d.Subject.Filename)
		}
		if d.Context != nil {
			d.Context.Filename = relName(tmp, rev, d.Context.Filename)
		}
	}
	if cfg != nil {
		for name, src := range cfg.Sources {
			out.Sources[relName(tmp, rev, name)] = src
		}
	}
	out.Diagnostics = diags
	if diags.HasErrors() {
		return out, ErrBaseConfig
	}
	out.Plan, _ = planner.Plan(planner.Input{
		Config: cfg, Inventory: res.Inventory, Now: res.Saved.Plan.GeneratedAt, History: res.History,
		ConfigCommit: out.Commit, InventorySource: res.Source, Vulns: res.Vulns,
	})
	// The base is checked against the resolutions the snapshots hold (for
	// a live plan, those just made for this configuration's actions).
	planner.CheckTransactions(cfg, out.Plan, planner.Recorded(res.Inventory))
	return out, nil
}

// relName turns a path under the export into "REV:path".
func relName(tmp, rev, name string) string {
	if r, err := filepath.Rel(tmp, name); err == nil && !strings.HasPrefix(r, "..") {
		return rev + ":" + filepath.ToSlash(r)
	}
	return name
}

// discardLog is a logger for what nobody needs to read here (a skipped
// submodule in the base configuration).
func discardLog() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}
