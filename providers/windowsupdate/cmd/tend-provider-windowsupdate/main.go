// Command tend-provider-windowsupdate is tend's Windows Update provider
// plugin: it scans and patches Windows hosts through the Windows Update
// Agent, running embedded PowerShell scripts through tend (locally or over
// SSH). tend starts it; see docs/providers/windows.md.
package main

import (
	"context"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/windowsupdate"
)

type provider struct{}

func (provider) Schema(context.Context) (*sdk.SchemaResponse, error) {
	return windowsupdate.Schema(), nil
}

func (provider) Scan(ctx context.Context, req *sdk.ScanRequest) (*sdk.ScanResponse, error) {
	cfg, err := windowsupdate.ParseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	inv, warns, err := windowsupdate.Scan(ctx, req.Runner, cfg)
	if err != nil {
		return nil, err
	}
	return &sdk.ScanResponse{Inventory: *inv, Warnings: warns}, nil
}

func (provider) Apply(ctx context.Context, req *sdk.ApplyRequest, progress sdk.ProgressFunc) (*sdk.ApplyResponse, error) {
	cfg, err := windowsupdate.ParseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	results, err := windowsupdate.Apply(ctx, req.Runner, cfg, req.Actions, progress)
	if err != nil {
		return nil, err
	}
	return &sdk.ApplyResponse{Results: results}, nil
}

// ValidateConfig checks the provider block and refuses pins for tend
// validate.
func (provider) ValidateConfig(_ context.Context, req *sdk.ValidateConfigRequest) (*sdk.ValidateConfigResponse, error) {
	return &sdk.ValidateConfigResponse{Diagnostics: windowsupdate.ValidateConfig(req.Config, req.Pins)}, nil
}

func main() { sdk.Serve(provider{}) }
