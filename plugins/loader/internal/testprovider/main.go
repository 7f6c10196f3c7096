// Command testprovider is a provider plugin for the loader's tests: it
// echoes through the Exec callback, and crashes or hangs on request. Hosts
// named flood_scan… or flood_apply… are hostile: there, a scan or an apply
// runs a command printing 200 MB, as an endless /etc/os-release would. It
// resolves transactions and checks the expected one at apply.
package main

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"

	"github.com/tend-sh/tend/plugins/sdk"
)

type provider struct{}

func (provider) Schema(context.Context) (*sdk.SchemaResponse, error) {
	return &sdk.SchemaResponse{
		Name: "test", Version: "1.2.3",
		Attributes:    []sdk.Attribute{{Name: "greeting", Type: sdk.TypeString}},
		Actions:       []string{"install", "upgrade"},
		VersionScheme: sdk.VersionDotted,
	}, nil
}

// flood is the command a hostile host's endless output comes from.
var flood = sdk.Cmd{Argv: []string{"head", "-c", "200000000", "/dev/zero"}}

func (provider) Scan(ctx context.Context, req *sdk.ScanRequest) (*sdk.ScanResponse, error) {
	if strings.HasPrefix(req.Host, "flood_scan") {
		if _, err := sdk.Check(ctx, req.Runner, flood); err != nil {
			return nil, err
		}
	}
	greeting, _ := req.Config["greeting"].(string)
	if pidFile, ok := strings.CutPrefix(greeting, "sleep:"); ok {
		// A long command, whose pid the test reads.
		_, err := sdk.Check(ctx, req.Runner, sdk.Cmd{Argv: []string{"sh", "-c", `echo $$ > "$1"; exec sleep 600`, "sh", pidFile}})
		return nil, err
	}
	if greeting == "big" {
		// 10 MB through the Exec callback, both ways.
		big := strings.Repeat("0123456789", 1<<20)
		res, err := sdk.Check(ctx, req.Runner, sdk.Cmd{Argv: []string{"cat"}, Stdin: []byte(big)})
		if err != nil {
			return nil, err
		}
		return &sdk.ScanResponse{Inventory: sdk.Inventory{Facts: map[string]string{"said": strconv.Itoa(len(res.Stdout))}}}, nil
	}
	res, err := sdk.Check(ctx, req.Runner, sdk.Cmd{Argv: []string{"cat"}, Stdin: []byte(greeting + " " + req.Host)})
	if err != nil {
		return nil, err
	}
	return &sdk.ScanResponse{
		Inventory: sdk.Inventory{
			Facts:     map[string]string{"said": strings.TrimSpace(string(res.Stdout))},
			Installed: []sdk.Installed{{ID: "a", Name: "a", Version: "1", Arch: "all"}},
			Available: []sdk.Update{{ID: "a", Name: "a", From: "1", To: "2", Classification: "security", CVEs: []string{"CVE-1"}}},
			Versions:  map[string][]string{"a": {"1", "2"}},
		},
		Warnings: []string{"pins: " + strings.Join(req.Pins, ",")},
	}, nil
}

// Resolve says each action changes its own package, and an action on
// "app" also upgrades liba 1 → 2, whose name it asks the host for (cat);
// an action on "unsat" cannot be resolved.
func (provider) Resolve(ctx context.Context, req *sdk.ResolveRequest) (*sdk.ResolveResponse, error) {
	var out sdk.ResolveResponse
	for _, a := range req.Actions {
		switch a.Package {
		case "unsat":
			return nil, errors.New("unsat: Depends: nothing (>= 9) but it is not installable")
		case "app":
			res, err := sdk.Check(ctx, req.Runner, sdk.Cmd{Argv: []string{"cat"}, Stdin: []byte("liba")})
			if err != nil {
				return nil, err
			}
			out.Changes = append(out.Changes, sdk.Change{Package: string(res.Stdout), Kind: sdk.ChangeUpgrade, From: "1", To: "2", RequiredBy: []string{a.Package}})
		}
		out.Changes = append(out.Changes, sdk.Change{Package: a.Package, Kind: a.Type, From: a.From, To: a.To})
	}
	return &out, nil
}

func (p provider) Apply(ctx context.Context, req *sdk.ApplyRequest, progress sdk.ProgressFunc) (*sdk.ApplyResponse, error) {
	var out sdk.ApplyResponse
	if len(req.Expected) > 0 {
		now, err := p.Resolve(ctx, &sdk.ResolveRequest{Host: req.Host, Actions: req.Actions, Runner: req.Runner})
		if err != nil {
			return nil, err
		}
		if diff := sdk.DiffChanges(req.Expected, now.Changes); len(diff) > 0 {
			for _, a := range req.Actions {
				out.Results = append(out.Results, sdk.ActionResult{ActionID: a.ID, Status: sdk.StatusFailed, Message: sdk.TransactionChangedError(diff)})
			}
			return &out, nil
		}
	}
	for _, a := range req.Actions {
		progress(sdk.Progress{ActionID: a.ID, Message: "working on " + a.Package})
		switch a.Package {
		case "crash":
			os.Exit(3)
		case "hang":
			<-ctx.Done()
			return nil, ctx.Err()
		case "forget":
			continue
		case "wait":
			// Stops at a safe point when asked, and says so.
			<-ctx.Done()
			out.Results = append(out.Results, sdk.ActionResult{ActionID: a.ID, Status: sdk.StatusInterrupted, Message: "stopped"})
			continue
		}
		cmd := sdk.Cmd{Argv: []string{"true"}}
		if strings.HasPrefix(req.Host, "flood_apply") {
			cmd = flood
		}
		if _, err := sdk.Check(ctx, req.Runner, cmd); err != nil {
			out.Results = append(out.Results, sdk.ActionResult{ActionID: a.ID, Status: sdk.StatusFailed, Message: err.Error()})
			continue
		}
		out.Results = append(out.Results, sdk.ActionResult{ActionID: a.ID, Status: sdk.StatusSucceeded})
	}
	return &out, nil
}

func main() { sdk.Serve(provider{}) }
