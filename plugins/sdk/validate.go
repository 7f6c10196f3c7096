package sdk

import (
	"context"
	"strings"

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

// Pin is one entry of a policy's pin map.
type Pin struct {
	// ID is chosen by tend; a Diagnostic about this pin names it.
	ID      string
	Package string
	Version string
}

// ValidateConfigResponse lists what is wrong; empty means nothing.
type ValidateConfigResponse struct {
	Diagnostics []Diagnostic
}

// Diagnostic severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Diagnostic is one problem found by ValidateConfig. tend shows it at the
// pin it names (the package or the version), or at the provider block.
type Diagnostic struct {
	Severity string // SeverityError (the default) or SeverityWarning
	Summary  string
	Detail   string
	// PinID is the Pin.ID the diagnostic is about; empty for the provider
	// block.
	PinID string
	// AboutPackage, with PinID, points at the pin's package name rather
	// than its version.
	AboutPackage bool
}

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
		out := &pb.ValidateConfigResponse{}
		for _, line := range strings.Split(err.Error(), "\n") {
			out.Diagnostics = append(out.Diagnostics, &pb.Diagnostic{Severity: SeverityError, Summary: "Invalid provider configuration", Detail: line})
		}
		return out, nil
	}
	v, ok := s.impl.(ConfigValidator)
	if !ok {
		return &pb.ValidateConfigResponse{}, nil
	}
	in := &ValidateConfigRequest{Config: cfg}
	for _, p := range req.Pins {
		in.Pins = append(in.Pins, Pin{ID: p.Id, Package: p.Package, Version: p.Version})
	}
	resp, err := v.ValidateConfig(ctx, in)
	if err != nil {
		return nil, status.Error(codes.Unknown, err.Error())
	}
	out := &pb.ValidateConfigResponse{}
	for _, d := range resp.Diagnostics {
		sev := d.Severity
		if sev != SeverityWarning {
			sev = SeverityError
		}
		out.Diagnostics = append(out.Diagnostics, &pb.Diagnostic{Severity: sev, Summary: d.Summary, Detail: d.Detail,
			PinId: d.PinID, AboutPackage: d.AboutPackage})
	}
	return out, nil
}
