package sdk

import (
	"sort"
	"time"

	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
)

// Conversions between the SDK's types and the wire format; providers never
// see the generated code.

func schemaToProto(s *SchemaResponse) *pb.GetSchemaResponse {
	out := &pb.GetSchemaResponse{Name: s.Name, Version: s.Version, Actions: s.Actions, VersionScheme: string(s.VersionScheme)}
	for _, a := range s.Attributes {
		out.Attributes = append(out.Attributes, &pb.Attribute{Name: a.Name, Type: a.Type, Required: a.Required, Description: a.Description})
	}
	return out
}

func inventoryToProto(inv *Inventory) *pb.Inventory {
	out := &pb.Inventory{Facts: inv.Facts, PendingReboot: inv.PendingReboot, VersionScheme: string(inv.VersionScheme)}
	for _, it := range inv.Installed {
		out.Installed = append(out.Installed, &pb.Installed{Id: it.ID, Name: it.Name, Version: it.Version, Arch: it.Arch})
	}
	for _, u := range inv.Available {
		released := ""
		if !u.ReleasedAt.IsZero() {
			released = u.ReleasedAt.UTC().Format(time.RFC3339)
		}
		out.Available = append(out.Available, &pb.Update{
			Id: u.ID, Name: u.Name, From: u.From, To: u.To, Classification: u.Classification,
			Severity: u.Severity, Cves: u.CVEs, Kb: u.KB, ReleasedAt: released, RebootRequired: u.RebootRequired,
		})
	}
	for _, u := range inv.Unfinished {
		out.Unfinished = append(out.Unfinished, &pb.Unfinished{Name: u.Name, Version: u.Version, State: u.State})
	}
	if len(inv.Versions) > 0 {
		out.Versions = map[string]*pb.Versions{}
		names := make([]string, 0, len(inv.Versions))
		for n := range inv.Versions {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			out.Versions[n] = &pb.Versions{Versions: inv.Versions[n]}
		}
	}
	return out
}

func actionsFromProto(in []*pb.Action) []Action {
	out := make([]Action, len(in))
	for i, a := range in {
		out[i] = Action{ID: a.Id, Type: a.Type, Package: a.Package, From: a.From, To: a.To}
	}
	return out
}
