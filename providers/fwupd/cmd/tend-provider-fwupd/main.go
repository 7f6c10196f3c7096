// Command tend-provider-fwupd is tend's firmware provider plugin: it scans
// and updates device firmware through fwupd, running fwupdmgr through tend
// (locally or over SSH). tend starts it; see docs/providers/fwupd.md.
package main

import (
	"context"

	"github.com/tend-sh/tend/plugins/sdk"
	"github.com/tend-sh/tend/providers/fwupd"
)

type provider struct{}

func (provider) Schema(context.Context) (*sdk.SchemaResponse, error) { return fwupd.Schema(), nil }

func (provider) Scan(ctx context.Context, req *sdk.ScanRequest) (*sdk.ScanResponse, error) {
	cfg, err := fwupd.ParseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	inv, warns, err := fwupd.Scan(ctx, req.Runner, cfg, req.Pins)
	if err != nil {
		return nil, err
	}
	return &sdk.ScanResponse{Inventory: *inv, Warnings: warns}, nil
}

func (provider) Apply(ctx context.Context, req *sdk.ApplyRequest, progress sdk.ProgressFunc) (*sdk.ApplyResponse, error) {
	cfg, err := fwupd.ParseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	results, err := fwupd.Apply(ctx, req.Runner, cfg, req.Actions, progress)
	if err != nil {
		return nil, err
	}
	return &sdk.ApplyResponse{Results: results}, nil
}

func main() { sdk.Serve(provider{}) }
