package protoconv

import (
	"github.com/tend-sh/tend/core/model"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
)

// ActionsToProto returns actions as an apply request lists them.
func ActionsToProto(actions []model.ProviderAction) []*pb.Action {
	out := make([]*pb.Action, len(actions))
	for i, a := range actions {
		out[i] = &pb.Action{Id: a.ID, Type: a.Type, Package: a.Package, From: a.From, To: a.To}
	}
	return out
}

// ActionsFromProto returns the actions an apply request lists.
func ActionsFromProto(in []*pb.Action) []model.ProviderAction {
	out := make([]model.ProviderAction, len(in))
	for i, a := range in {
		out[i] = model.ProviderAction{ID: a.Id, Type: a.Type, Package: a.Package, From: a.From, To: a.To}
	}
	return out
}
