package sdk

import (
	"context"
	"strings"

	"github.com/tend-sh/tend/plugins/internal/protoconv"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ConfigValidator is an optional capability: a Provider that implements it
// checks its provider block and the policies' pins when the user runs tend
// validate, without touching any host, so a pin that can never install
// (a package name or version the package manager would refuse) is an error
// at file:line:col instead of a failed apply.
type ConfigValidator interface {
	ValidateConfig(ctx context.Context, req *ValidateConfigRequest) (*ValidateConfigResponse, error)
}

// ValidateConfigRequest holds what tend validate asks a provider to check.
type ValidateConfigRequest struct {
	// Config holds the provider block's attributes, already checked against
	// the schema, as decoded JSON values (string, bool, float64, []any).
	Config map[string]any
	// Pins are every pin of the policies that use the provider.
	Pins []Pin
}

// Pin is one entry of a policy's pin map: Package and Version, and an ID
// chosen by tend that a Diagnostic about this pin names.
type Pin = protoconv.Pin

// ValidateConfigResponse lists what is wrong; empty means nothing.
type ValidateConfigResponse struct {
	Diagnostics []Diagnostic
}

// Diagnostic severities.
const (
	SeverityError   = protoconv.SeverityError
	SeverityWarning = protoconv.SeverityWarning
)

// Diagnostic is one problem found by ValidateConfig. tend shows it at the
// pin it names (the package or the version), or at the provider block.
// Severity is SeverityError (the default) or SeverityWarning; PinID is the
// Pin.ID it is about, empty for the provider block; AboutPackage, with
// PinID, points at the pin's package name rather than its version.
type Diagnostic = protoconv.Diagnostic

// ValidateConfig checks the provider block against the schema, then asks
// the provider (when it implements ConfigValidator) to check the block and
// the pins. Schema errors are diagnostics about the block; the provider is
// not asked about a block that does not fit its schema.
func (s *server) ValidateConfig(ctx context.Context, req *pb.ValidateConfigRequest) (*pb.ValidateConfigResponse, error) {
	cfg, sc, err := s.decodeConfig(ctx, req.ConfigJson)
	if err != nil {
		return nil, err
	}
	if err := CheckConfig(sc, cfg); err != nil {
		var diags []Diagnostic
		for _, line := range strings.Split(err.Error(), "\n") {
			diags = append(diags, Diagnostic{Severity: SeverityError, Summary: "Invalid provider configuration", Detail: line})
		}
		return &pb.ValidateConfigResponse{Diagnostics: protoconv.DiagnosticsToProto(diags)}, nil
	}
	v, ok := s.impl.(ConfigValidator)
	if !ok {
		return &pb.ValidateConfigResponse{}, nil
	}
	resp, err := v.ValidateConfig(ctx, &ValidateConfigRequest{Config: cfg, Pins: protoconv.PinsFromProto(req.Pins)})
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	return &pb.ValidateConfigResponse{Diagnostics: protoconv.DiagnosticsToProto(resp.Diagnostics)}, nil
}
