package engine

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/hashicorp/hcl/v2"
	"github.com/tend-sh/tend/core/config"
	"github.com/tend-sh/tend/core/inventory"
	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/planner"
)

// ErrConfig means the configuration has errors; they are in the returned
// diagnostics and nothing was planned.
var ErrConfig = errors.New("configuration has errors")

// PlanOptions are the inputs of an offline plan.
type PlanOptions struct {
	ConfigDir string
	// Inventory is "live", "git:REF" or a directory of snapshots.
	Inventory string
	Now       time.Time
	// TendVersion is recorded in saved plans.
	TendVersion string
}

// PlanResult is a plan and what was learned making it.
type PlanResult struct {
	Config *config.Config
	Saved  *model.SavedPlan
	// Diagnostics are the configuration's (warnings, or errors with ErrConfig).
	Diagnostics hcl.Diagnostics
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
func Plan(o PlanOptions) (*PlanResult, error) {
	cfg, diags, err := Load(o.ConfigDir)
	res := &PlanResult{Config: cfg, Diagnostics: diags}
	if err != nil {
		return res, err
	}
	inv, source, err := readInventory(o.ConfigDir, o.Inventory)
	if err != nil {
		return res, err
	}
	pl, warns := planner.Plan(planner.Input{
		Config:          cfg,
		Inventory:       inv,
		Now:             o.Now,
		ConfigCommit:    ConfigCommit(o.ConfigDir),
		InventorySource: source,
	})
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

func readInventory(configDir, spec string) (map[string]*model.Snapshot, string, error) {
	switch {
	case spec == "" || spec == "live":
		return nil, "", fmt.Errorf("live inventory needs provider plugins, which this version of tend does not ship yet: pass --inventory DIR with snapshots (DIR/<host>/inventory.json) or --inventory git:REF")
	case strings.HasPrefix(spec, "git:"):
		inv, err := inventory.ReadGit(configDir, strings.TrimPrefix(spec, "git:"))
		return inv, spec, err
	}
	inv, err := inventory.ReadDir(spec)
	if err != nil {
		return nil, "", err
	}
	return inv, "dir:" + spec, nil
}

// ConfigCommit returns the commit checked out in the Git repository holding
// dir, or "" when dir is not in a repository.
func ConfigCommit(dir string) string {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return ""
	}
	head, err := repo.Head()
	if err != nil {
		return ""
	}
	return head.Hash().String()
}
