package loader

import (
	"context"
	"encoding/json"

	"github.com/tend-sh/tend/plugins/internal/protoconv"
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
	resp, err := p.rpc.ValidateConfig(ctx, &pb.ValidateConfigRequest{ConfigJson: data, Pins: protoconv.PinsToProto(pins)})
	if status.Code(err) == codes.Unimplemented {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, p.wrap("ValidateConfig", err)
	}
	return protoconv.DiagnosticsFromProto(resp.Diagnostics), true, nil
}
