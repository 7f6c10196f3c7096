package sdk

import (
	"context"

	"github.com/tend-sh/tend/core/model"
	"github.com/tend-sh/tend/core/version"
	"github.com/tend-sh/tend/plugins/internal/protoconv"
)

// Provider is what a provider author implements. Each method gets a Runner
// in its request for everything it needs to run on the target host.
type Provider interface {
	// Schema describes the provider: name, version, the attributes of its
	// provider block and the action types it can apply.
	Schema(ctx context.Context) (*SchemaResponse, error)
	// Scan reports what is installed and what could be installed.
	Scan(ctx context.Context, req *ScanRequest) (*ScanResponse, error)
	// Apply carries out actions on one host, reporting progress as it goes,
	// and returns one result per action.
	Apply(ctx context.Context, req *ApplyRequest, progress ProgressFunc) (*ApplyResponse, error)
}

// Action types a provider may be asked to apply.
const (
	ActionInstall   = model.ActionInstall
	ActionUpgrade   = model.ActionUpgrade
	ActionDowngrade = model.ActionDowngrade
	ActionRemove    = model.ActionRemove
	ActionHold      = model.ActionHold
	ActionUnhold    = model.ActionUnhold
	ActionReboot    = model.ActionReboot
)

// Attribute types a provider block may use.
const (
	TypeString     = "string"
	TypeBool       = "bool"
	TypeNumber     = "number"
	TypeStringList = "list(string)"
)

// SchemaResponse describes a provider: Name, Version, the Attributes of
// its provider block, the Actions (ActionUpgrade, …) Apply supports, and
// its VersionScheme, how its versions compare so tend can tell an upgrade
// from a downgrade (VersionDotted, …). Serve writes the scheme into every
// scan's Inventory; empty means VersionDebian.
type SchemaResponse = protoconv.SchemaResponse

// VersionScheme names how a provider's versions compare; see core/version
// for what each scheme means.
type VersionScheme = version.Scheme

// Version schemes a provider may declare.
const (
	// VersionDebian orders versions as dpkg does.
	VersionDebian = version.Debian
	// VersionSemver orders Semantic Versioning 2.0.0 versions.
	VersionSemver = version.Semver
	// VersionDotted orders dot-separated numbers (10.0.19041.3693, 1.2.3).
	VersionDotted = version.Dotted
	// VersionWinget orders versions as winget does (1.0-rc < 1.0 = 1.0.0).
	VersionWinget = version.Winget
	// VersionFwupd orders firmware versions as fwupd does (1.2.3~rc1 <
	// 1.2.3 < 1.2.3.1).
	VersionFwupd = version.Fwupd
	// VersionOpaque versions have no order, only equal or different (KB
	// numbers).
	VersionOpaque = version.Opaque
)

// Attribute is one attribute of a provider block: Name, Type (TypeString,
// …), Required and Description.
type Attribute = protoconv.Attribute

// Inventory, Installed, Update and Unfinished are the inventory model tend
// plans from (the snapshot contract of DESIGN.md section 3).
type (
	Inventory  = model.ProviderInventory
	Installed  = model.Installed
	Update     = model.Update
	Unfinished = model.Unfinished
)

// ScanRequest asks for one host's inventory.
type ScanRequest struct {
	Host string
	// Config holds the provider block's attributes as decoded JSON values
	// (string, bool, float64, []any).
	Config map[string]any
	// Pins names packages whose offered versions the scan should list in
	// Inventory.Versions, so pins can be planned as downgrades.
	Pins   []string
	Runner Runner
}

// ScanResponse is a scan's result.
type ScanResponse struct {
	Inventory Inventory
	// Warnings are problems that did not stop the scan.
	Warnings []string
}

// Action is one change to make, as planned.
type Action = model.ProviderAction

// ApplyRequest asks for actions to be carried out on one host.
type ApplyRequest struct {
	Host    string
	Config  map[string]any
	Actions []Action
	// Expected is the transaction the plan showed, as a Resolver resolved
	// it. When it is not empty, a Resolver must resolve again before it
	// changes anything and, when the result differs, change nothing and
	// fail every action with a message naming the difference
	// (DiffChanges). Empty means no check.
	Expected []Change
	Runner   Runner
}

// Progress is one event during Apply: its Message and the ActionID it is
// about, empty for events about the whole transaction.
type Progress = protoconv.Progress

// ProgressFunc receives progress events; it must not block for long.
type ProgressFunc func(Progress)

// Status is the outcome of one action.
type Status = model.Status

// Result statuses of an action.
const (
	StatusSucceeded   = model.StatusSucceeded
	StatusFailed      = model.StatusFailed
	StatusSkipped     = model.StatusSkipped
	StatusInterrupted = model.StatusInterrupted
)

// ActionResult is the outcome of one action.
type ActionResult = model.ActionResult

// ApplyResponse holds one result per requested action.
type ApplyResponse struct {
	Results []ActionResult
}
