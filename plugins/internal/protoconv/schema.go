package protoconv

import (
	"github.com/tend-sh/tend/core/version"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
)

// SchemaResponse describes a provider (sdk.SchemaResponse).
type SchemaResponse struct {
	Name    string
	Version string
	// Attributes of the provider's config block.
	Attributes []Attribute
	// Actions lists the action types Apply supports (ActionUpgrade, …).
	Actions []string
	// VersionScheme says how the provider's versions compare; empty means
	// version.Debian.
	VersionScheme version.Scheme
}

// Attribute is one attribute of a provider block (sdk.Attribute).
type Attribute struct {
	Name        string
	Type        string
	Required    bool
	Description string
}

// SchemaToProto returns s as a GetSchema response.
func SchemaToProto(s *SchemaResponse) *pb.GetSchemaResponse {
	out := &pb.GetSchemaResponse{Name: s.Name, Version: s.Version, Actions: s.Actions, VersionScheme: string(s.VersionScheme)}
	for _, a := range s.Attributes {
		out.Attributes = append(out.Attributes, &pb.Attribute{Name: a.Name, Type: a.Type, Required: a.Required, Description: a.Description})
	}
	return out
}

// SchemaFromProto returns the schema a GetSchema response holds. A version
// scheme tend does not know is an error.
func SchemaFromProto(in *pb.GetSchemaResponse) (*SchemaResponse, error) {
	scheme, err := version.ParseScheme(in.VersionScheme)
	if err != nil {
		return nil, err
	}
	out := &SchemaResponse{Name: in.Name, Version: in.Version, Actions: in.Actions, VersionScheme: scheme}
	for _, a := range in.Attributes {
		out.Attributes = append(out.Attributes, Attribute{Name: a.Name, Type: a.Type, Required: a.Required, Description: a.Description})
	}
	return out, nil
}
