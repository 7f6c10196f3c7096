package protoconv

import pb "github.com/tend-sh/tend/plugins/proto/providerv1"

// Pin is one entry of a policy's pin map (sdk.Pin).
type Pin struct {
	// ID is chosen by tend; a Diagnostic about this pin names it.
	ID      string
	Package string
	Version string
}

// Diagnostic severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Diagnostic is one problem found by ValidateConfig (sdk.Diagnostic).
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

// PinsToProto returns pins as a ValidateConfig request lists them.
func PinsToProto(pins []Pin) []*pb.Pin {
	var out []*pb.Pin
	for _, p := range pins {
		out = append(out, &pb.Pin{Id: p.ID, Package: p.Package, Version: p.Version})
	}
	return out
}

// PinsFromProto returns the pins a ValidateConfig request lists.
func PinsFromProto(in []*pb.Pin) []Pin {
	var out []Pin
	for _, p := range in {
		out = append(out, Pin{ID: p.Id, Package: p.Package, Version: p.Version})
	}
	return out
}

// DiagnosticsToProto returns diags as a ValidateConfig response lists
// them; any severity but SeverityWarning is sent as SeverityError.
func DiagnosticsToProto(diags []Diagnostic) []*pb.Diagnostic {
	var out []*pb.Diagnostic
	for _, d := range diags {
		sev := d.Severity
		if sev != SeverityWarning {
			sev = SeverityError
		}
		out = append(out, &pb.Diagnostic{Severity: sev, Summary: d.Summary, Detail: d.Detail,
			PinId: d.PinID, AboutPackage: d.AboutPackage})
	}
	return out
}

// DiagnosticsFromProto returns the diagnostics a ValidateConfig response
// lists.
func DiagnosticsFromProto(in []*pb.Diagnostic) []Diagnostic {
	var out []Diagnostic
	for _, d := range in {
		out = append(out, Diagnostic{Severity: d.Severity, Summary: d.Summary, Detail: d.Detail,
			PinID: d.PinId, AboutPackage: d.AboutPackage})
	}
	return out
}
