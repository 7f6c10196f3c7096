package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"slices"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Version is this provider's version, reported in its schema and recorded
// in tend's lock file.
const Version = "0.1.0"

// Action types, as tend plans them.
const (
	actionInstall   = "install"
	actionUpgrade   = "upgrade"
	actionDowngrade = "downgrade"
	actionRemove    = "remove"
)

// provider implements sdk.Provider. It keeps no state between calls: every
// request carries the config and the Runner.
type provider struct{}

func (provider) Schema(context.Context) (*sdk.SchemaResponse, error) {
	return &sdk.SchemaResponse{
		Name:    "textpkg",
		Version: Version,
		Attributes: []sdk.Attribute{
			{Name: "state", Type: sdk.TypeString, Required: true,
				Description: "Absolute path of the state file on the host: one installed NAME VERSION per line."},
			{Name: "catalog", Type: sdk.TypeString, Required: true,
				Description: "Absolute path of the catalog file on the host: one offered NAME VERSION [CLASSIFICATION] per line."},
		},
		Actions:       []string{actionInstall, actionUpgrade, actionDowngrade, actionRemove},
		VersionScheme: sdk.VersionDotted, // 1.2.10 is newer than 1.2.9, as compareVersions says
	}, nil
}

// files are the two paths of the provider block.
type files struct{ state, catalog string }

func configFiles(cfg map[string]any) (files, error) {
	f := files{}
	f.state, _ = cfg["state"].(string)
	f.catalog, _ = cfg["catalog"].(string)
	return f, errors.Join(checkPath("state", f.state), checkPath("catalog", f.catalog))
}

// read cats a file on the host.
func read(ctx context.Context, r sdk.Runner, what, path string) ([]byte, error) {
	res, err := sdk.Check(ctx, r, sdk.Cmd{Argv: []string{"cat", path}})
	if err != nil {
		return nil, fmt.Errorf("reading the %s file %s: %w", what, path, err)
	}
	return res.Stdout, nil
}

// load reads and parses both files.
func load(ctx context.Context, r sdk.Runner, f files) (map[string]string, catalog, error) {
	data, err := read(ctx, r, "state", f.state)
	if err != nil {
		return nil, nil, err
	}
	state, err := parseState(data)
	if err != nil {
		return nil, nil, fmt.Errorf("state file %s: %w", f.state, err)
	}
	data, err = read(ctx, r, "catalog", f.catalog)
	if err != nil {
		return nil, nil, err
	}
	cat, err := parseCatalog(data)
	if err != nil {
		return nil, nil, fmt.Errorf("catalog file %s: %w", f.catalog, err)
	}
	return state, cat, nil
}

func (provider) Scan(ctx context.Context, req *sdk.ScanRequest) (*sdk.ScanResponse, error) {
	f, err := configFiles(req.Config)
	if err != nil {
		return nil, err
	}
	state, cat, err := load(ctx, req.Runner, f)
	if err != nil {
		return nil, err
	}
	resp := &sdk.ScanResponse{Inventory: sdk.Inventory{Installed: []sdk.Installed{}, Available: []sdk.Update{}}}
	inv := &resp.Inventory
	for _, name := range slices.Sorted(maps.Keys(state)) {
		v := state[name]
		inv.Installed = append(inv.Installed, sdk.Installed{ID: name, Name: name, Version: v})
		if !cat.has(name, v) {
			resp.Warnings = append(resp.Warnings, fmt.Sprintf("%s %s is installed but not in the catalog", name, v))
		}
		if o, ok := cat.newest(name); ok && compareVersions(o.Version, v) > 0 {
			inv.Available = append(inv.Available, sdk.Update{ID: name, Name: name, From: v, To: o.Version, Classification: o.Classification})
		}
	}
	for _, pin := range req.Pins {
		if checkName(pin) != nil {
			resp.Warnings = append(resp.Warnings, fmt.Sprintf("pin %q is not a valid package name", pin))
			continue
		}
		if inv.Versions == nil {
			inv.Versions = map[string][]string{}
		}
		inv.Versions[pin] = cat.versions(pin)
	}
	log.Printf("scanned %s: %d installed, %d updates", req.Host, len(inv.Installed), len(inv.Available))
	return resp, nil
}

func (provider) Apply(ctx context.Context, req *sdk.ApplyRequest, progress sdk.ProgressFunc) (*sdk.ApplyResponse, error) {
	results := make([]sdk.ActionResult, len(req.Actions))
	finish := func(status sdk.Status, msg string, pending []int) *sdk.ApplyResponse {
		for _, i := range pending {
			results[i] = sdk.ActionResult{ActionID: req.Actions[i].ID, Status: status, Message: msg}
		}
		return &sdk.ApplyResponse{Results: results}
	}
	all := make([]int, len(req.Actions))
	for i := range all {
		all[i] = i
	}
	failAll := func(err error) *sdk.ApplyResponse {
		if ctx.Err() != nil {
			return finish(sdk.StatusInterrupted, "cancelled: "+err.Error(), all)
		}
		return finish(sdk.StatusFailed, err.Error(), all)
	}
	f, err := configFiles(req.Config)
	if err != nil {
		return failAll(err), nil
	}
	state, cat, err := load(ctx, req.Runner, f)
	if err != nil {
		return failAll(err), nil
	}

	// Work out every action against a copy of the state; write once.
	var pending []int
	for i, a := range req.Actions {
		if ctx.Err() != nil {
			var rest []int
			for j := i; j < len(req.Actions); j++ {
				rest = append(rest, j)
			}
			finish(sdk.StatusInterrupted, "cancelled before this action was started", rest)
			return finish(sdk.StatusInterrupted, "cancelled before the state file was written", pending), nil
		}
		progress(sdk.Progress{ActionID: a.ID, Message: describe(a)})
		status, msg := decide(state, cat, a)
		if status == "" {
			pending = append(pending, i)
			continue
		}
		results[i] = sdk.ActionResult{ActionID: a.ID, Status: status, Message: msg}
	}
	if len(pending) == 0 {
		return &sdk.ApplyResponse{Results: results}, nil
	}
	if err := write(ctx, req.Runner, f.state, renderState(state)); err != nil {
		if ctx.Err() != nil {
			return finish(sdk.StatusInterrupted, "cancelled while writing the state file: "+err.Error(), pending), nil
		}
		return finish(sdk.StatusFailed, err.Error(), pending), nil
	}
	progress(sdk.Progress{Message: "wrote " + f.state})
	return finish(sdk.StatusSucceeded, "", pending), nil
}

func describe(a sdk.Action) string {
	switch a.Type {
	case actionInstall:
		return fmt.Sprintf("installing %s %s", a.Package, a.To)
	case actionRemove:
		return fmt.Sprintf("removing %s", a.Package)
	}
	return fmt.Sprintf("%s %s %s → %s", a.Type, a.Package, a.From, a.To)
}

// decide checks one action and, when it can be carried out, changes state
// and returns an empty status (pending the write); otherwise it returns
// the action's final status and why.
func decide(state map[string]string, cat catalog, a sdk.Action) (status sdk.Status, msg string) {
	fail := func(format string, args ...any) (sdk.Status, string) {
		return sdk.StatusFailed, fmt.Sprintf(format, args...)
	}
	switch a.Type {
	case actionInstall, actionUpgrade, actionDowngrade, actionRemove:
	default:
		return fail("textpkg cannot carry out %q actions (it supports install, upgrade, downgrade and remove)", a.Type)
	}
	if err := checkName(a.Package); err != nil {
		return fail("%v", err)
	}
	cur, installed := state[a.Package]
	if a.Type == actionRemove {
		if !installed {
			return sdk.StatusSkipped, a.Package + " is not installed"
		}
		delete(state, a.Package)
		return "", ""
	}
	if err := checkVersion(a.To); err != nil {
		return fail("%v", err)
	}
	if installed && cur == a.To {
		return sdk.StatusSkipped, fmt.Sprintf("%s %s is already installed", a.Package, a.To)
	}
	if !cat.has(a.Package, a.To) {
		return fail("the catalog does not offer %s %s", a.Package, a.To)
	}
	switch {
	case a.Type == actionInstall && installed:
		return fail("%s is already installed at %s; plan an upgrade or a downgrade", a.Package, cur)
	case a.Type != actionInstall && !installed:
		return fail("%s is not installed; nothing to %s", a.Package, a.Type)
	case a.Type != actionInstall && a.From != "" && a.From != cur:
		return fail("%s is installed at %s, not %s as planned; scan again", a.Package, cur, a.From)
	case a.Type == actionUpgrade && compareVersions(a.To, cur) < 0:
		return fail("%s %s is older than the installed %s: that is a downgrade", a.Package, a.To, cur)
	case a.Type == actionDowngrade && compareVersions(a.To, cur) > 0:
		return fail("%s %s is newer than the installed %s: that is an upgrade", a.Package, a.To, cur)
	}
	state[a.Package] = a.To
	return "", ""
}

// write replaces the state file atomically: tee the new content into
// STATE.tmp, then mv it over STATE. No shell: argv only, content on stdin.
func write(ctx context.Context, r sdk.Runner, path string, content []byte) error {
	tmp := path + ".tmp"
	if _, err := sdk.Check(ctx, r, sdk.Cmd{Argv: []string{"tee", tmp}, Stdin: content}); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if _, err := sdk.Check(ctx, r, sdk.Cmd{Argv: []string{"mv", tmp, path}}); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	return nil
}
