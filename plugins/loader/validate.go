package loader

import (
	"context"
	"encoding/json"

	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
	"github.com/tend-sh/tend/plugins/sdk"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ValidateConfig asks the provider to check its provider block and pins
// (tend validate). A provider built before the RPC existed answers
// Unimplemented: then supported is false and there are no diagnostics.
func (p *Provider) ValidateConfig(ctx context.Context, cfg map[string]any, pins []sdk.Pin) (diags []sdk.Diagnostic, supported bool, err error) {
	data, err := json.Marshal(cfg)
	if err != nil {
		return nil, false, err
	}
	req := &pb.ValidateConfigRequest{ConfigJson: data}
	for _, pin := range pins {
		req.Pins = append(req.Pins, &pb.Pin{Id: pin.ID, Package: pin.Package, Version: pin.Version})
	}
	resp, err := p.rpc.ValidateConfig(ctx, req)
	if status.Code(err) == codes.Unimplemented {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, p.wrap("ValidateConfig", err)
	}
	for _, d := range resp.Diagnostics {
		diags = append(diags, sdk.Diagnostic{Severity: d.Severity, Summary: d.Summary, Detail: d.Detail,
			PinID: d.PinId, AboutPackage: d.AboutPackage})
	}
	return diags, true, nil
}
