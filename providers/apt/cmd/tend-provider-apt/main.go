// Command tend-provider-apt is tend's apt provider plugin: it scans and
// patches Debian and Ubuntu hosts (or an alternate root) with dpkg and apt,
// running every command through tend. tend starts it; see docs/providers.md.
package main

import (
	"context"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/apt"
)

type provider struct{}

func (provider) Schema(context.Context) (*sdk.SchemaResponse, error) { return apt.Schema(), nil }

func (provider) Scan(ctx context.Context, req *sdk.ScanRequest) (*sdk.ScanResponse, error) {
	cfg, err := apt.ParseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	inv, warns, err := apt.Scan(ctx, req.Runner, cfg, req.Pins)
	if err != nil {
		return nil, err
	}
	return &sdk.ScanResponse{Inventory: *inv, Warnings: warns}, nil
}

func (provider) Apply(ctx context.Context, req *sdk.ApplyRequest, progress sdk.ProgressFunc) (*sdk.ApplyResponse, error) {
	cfg, err := apt.ParseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	results, err := apt.Apply(ctx, req.Runner, cfg, req.Actions, req.Expected, progress)
	if err != nil {
		return nil, err
	}
	return &sdk.ApplyResponse{Results: results}, nil
}

// Resolve asks apt, in a simulation, which transaction the actions are.
func (provider) Resolve(ctx context.Context, req *sdk.ResolveRequest) (*sdk.ResolveResponse, error) {
	cfg, err := apt.ParseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	changes, warns, err := apt.Resolve(ctx, req.Runner, cfg, req.Actions)
	if err != nil {
		return nil, err
	}
	return &sdk.ResolveResponse{Changes: changes, Warnings: warns}, nil
}

// ValidateConfig checks the provider block and the pins for tend validate.
func (provider) ValidateConfig(_ context.Context, req *sdk.ValidateConfigRequest) (*sdk.ValidateConfigResponse, error) {
	return &sdk.ValidateConfigResponse{Diagnostics: apt.ValidateConfig(req.Config, req.Pins)}, nil
}

func main() { sdk.Serve(provider{}) }
