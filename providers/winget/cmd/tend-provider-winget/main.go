// Command tend-provider-winget is tend's winget provider plugin: it scans
// and upgrades the applications winget manages on Windows hosts (Chrome,
// Firefox, 7-Zip, …) through the Microsoft.WinGet.Client PowerShell
// module, running embedded scripts through tend (locally or over SSH).
// tend starts it; see docs/providers/windows.md.
package main

import (
	"context"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/winget"
)

type provider struct{}

func (provider) Schema(context.Context) (*sdk.SchemaResponse, error) { return winget.Schema(), nil }

func (provider) Scan(ctx context.Context, req *sdk.ScanRequest) (*sdk.ScanResponse, error) {
	if _, err := winget.ParseConfig(req.Config); err != nil {
		return nil, err
	}
	inv, warns, err := winget.Scan(ctx, req.Runner, req.Pins)
	if err != nil {
		return nil, err
	}
	return &sdk.ScanResponse{Inventory: *inv, Warnings: warns}, nil
}

func (provider) Apply(ctx context.Context, req *sdk.ApplyRequest, progress sdk.ProgressFunc) (*sdk.ApplyResponse, error) {
	cfg, err := winget.ParseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	results, err := winget.Apply(ctx, req.Runner, cfg, req.Actions, progress)
	if err != nil {
		return nil, err
	}
	return &sdk.ApplyResponse{Results: results}, nil
}

// ValidateConfig checks the provider block and the pins for tend validate.
func (provider) ValidateConfig(_ context.Context, req *sdk.ValidateConfigRequest) (*sdk.ValidateConfigResponse, error) {
	return &sdk.ValidateConfigResponse{Diagnostics: winget.ValidateConfig(req.Config, req.Pins)}, nil
}

func main() { sdk.Serve(provider{}) }
