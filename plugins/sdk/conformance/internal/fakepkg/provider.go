package fakepkg

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tend-sh/tend/plugins/sdk"
)

// Bugs a Provider can be given, each something the conformance kit must
// catch.
const (
	BugNone             = ""
	BugBadSchema        = "bad_schema"          // version "1.0", unknown types, duplicates
	BugNondeterministic = "nondeterministic"    // every scan reports a new fact
	BugBadInventory     = "bad_inventory"       // updates from versions not installed, duplicates, unrequested versions
	BugWrongID          = "wrong_id"            // results carry a mistyped action id
	BugSilentFailure    = "silent_failure"      // failed results without a message
	BugIgnoreErrors     = "ignore_errors"       // command errors and exit codes are ignored
	BugCrashOnScanError = "crash_on_scan_error" // the process exits when a scan command fails
	BugCrashOnCancel    = "crash_on_cancel"     // the process exits when Apply is cancelled
	BugUnknownScheme    = "unknown_scheme"      // the schema declares a version scheme tend does not know
	BugOtherScheme      = "other_scheme"        // scans report another version scheme than the schema
)

// EnvBug is the environment variable the test provider binary reads its
// bug from.
const EnvBug = "FAKEPKG_BUG"

// Provider drives Host's pkg command, with the deliberate Bug.
type Provider struct {
	Bug   string
	scans atomic.Int64
}

// Schema implements sdk.Provider.
func (p *Provider) Schema(context.Context) (*sdk.SchemaResponse, error) {
	sc := &sdk.SchemaResponse{
		Name: "fakepkg", Version: "1.0.0",
		Attributes:    []sdk.Attribute{{Name: "mirror", Type: sdk.TypeString, Description: "unused"}},
		Actions:       []string{"install", "upgrade", "downgrade"},
		VersionScheme: sdk.VersionDotted,
	}
	if p.Bug == BugUnknownScheme {
		sc.VersionScheme = "semvr"
	}
	if p.Bug == BugBadSchema {
		sc.Version = "1.0"
		sc.Attributes = append(sc.Attributes, sdk.Attribute{Name: "mirror", Type: "map(string)"})
		sc.Actions = append(sc.Actions, "patch")
	}
	return sc, nil
}

// run runs a command, honouring exit codes unless the bug says otherwise.
func (p *Provider) run(ctx context.Context, r sdk.Runner, argv ...string) (string, error) {
	c := sdk.Cmd{Argv: argv}
	if p.Bug == BugIgnoreErrors {
		res, _ := r.Run(ctx, c)
		return string(res.Stdout), nil
	}
	res, err := sdk.Check(ctx, r, c)
	if err != nil && p.Bug == BugCrashOnScanError && argv[1] != "install" {
		fmt.Fprintln(os.Stderr, "fakepkg: crashing on purpose:", err)
		os.Exit(3)
	}
	return string(res.Stdout), err
}

// Scan implements sdk.Provider.
func (p *Provider) Scan(ctx context.Context, req *sdk.ScanRequest) (*sdk.ScanResponse, error) {
	inv := sdk.Inventory{Facts: map[string]string{}, Installed: []sdk.Installed{}, Available: []sdk.Update{}}
	out, err := p.run(ctx, req.Runner, "pkg", "list")
	if err != nil {
		return nil, fmt.Errorf("listing packages: %w", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			inv.Installed = append(inv.Installed, sdk.Installed{ID: f[0], Name: f[0], Version: f[1]})
		}
	}
	if out, err = p.run(ctx, req.Runner, "pkg", "candidates"); err != nil {
		return nil, fmt.Errorf("listing updates: %w", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); len(f) == 4 {
			inv.Available = append(inv.Available, sdk.Update{ID: f[0], Name: f[0], From: f[1], To: f[2], Classification: f[3]})
		}
	}
	for _, pin := range req.Pins {
		if out, err = p.run(ctx, req.Runner, "pkg", "versions", pin); err != nil {
			return nil, fmt.Errorf("versions of %s: %w", pin, err)
		}
		if inv.Versions == nil {
			inv.Versions = map[string][]string{}
		}
		inv.Versions[pin] = strings.Fields(out)
	}
	switch p.Bug {
	case BugOtherScheme:
		inv.VersionScheme = sdk.VersionSemver
	case BugNondeterministic:
		inv.Facts["scan"] = fmt.Sprint(p.scans.Add(1))
	case BugBadInventory:
		inv.Installed = append(inv.Installed, sdk.Installed{ID: "d", Name: "d"})
		inv.Available = append(inv.Available,
			sdk.Update{Name: "e", From: "4", To: "5"},
			sdk.Update{Name: "a", From: "1", To: "3"},
		)
		if inv.Versions == nil {
			inv.Versions = map[string][]string{}
		}
		inv.Versions["zzz"] = []string{"1"}
	}
	return &sdk.ScanResponse{Inventory: inv}, nil
}

// Apply implements sdk.Provider.
func (p *Provider) Apply(ctx context.Context, req *sdk.ApplyRequest, progress sdk.ProgressFunc) (*sdk.ApplyResponse, error) {
	var resp sdk.ApplyResponse
	for _, a := range req.Actions {
		progress(sdk.Progress{ActionID: a.ID, Message: a.Type + " " + a.Package})
		if p.Bug == BugCrashOnCancel {
			select {
			case <-ctx.Done():
				fmt.Fprintln(os.Stderr, "fakepkg: crashing on cancellation, on purpose")
				os.Exit(3)
			case <-time.After(200 * time.Millisecond):
			}
		}
		r := sdk.ActionResult{ActionID: a.ID, Status: sdk.StatusSucceeded}
		if ctx.Err() != nil {
			r.Status, r.Message = sdk.StatusInterrupted, "cancelled"
		} else if _, err := p.run(ctx, req.Runner, "pkg", "install", a.Package, a.To); err != nil {
			r.Status, r.Message = sdk.StatusFailed, err.Error()
			if ctx.Err() != nil {
				r.Status = sdk.StatusInterrupted
			}
		}
		switch p.Bug {
		case BugWrongID:
			r.ActionID += "-typo"
		case BugSilentFailure:
			r.Message = ""
		}
		resp.Results = append(resp.Results, r)
	}
	return &resp, nil
}
