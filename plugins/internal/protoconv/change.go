package protoconv

import (
	"github.com/tend-sh/tend/core/model"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
)

// ChangesToProto returns changes as a Resolve response or an Apply
// request's expected transaction lists them.
func ChangesToProto(changes []model.Change) []*pb.Change {
	var out []*pb.Change
	for _, c := range changes {
		out = append(out, &pb.Change{Package: c.Package, Kind: c.Kind, From: c.From, To: c.To, RequiredBy: c.RequiredBy})
	}
	return out
}

// ChangesFromProto returns the changes a Resolve response or an Apply
// request lists.
func ChangesFromProto(in []*pb.Change) []model.Change {
	var out []model.Change
	for _, c := range in {
		out = append(out, model.Change{Package: c.Package, Kind: c.Kind, From: c.From, To: c.To, RequiredBy: c.RequiredBy})
	}
	return out
}
