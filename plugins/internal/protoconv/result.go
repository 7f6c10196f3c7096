package protoconv

import (
	"github.com/tend-sh/tend/core/model"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
)

// ResultToProto returns r as the apply event that reports it.
func ResultToProto(r model.ActionResult) *pb.ApplyEvent {
	return &pb.ApplyEvent{Event: &pb.ApplyEvent_Result{Result: &pb.ActionResult{ActionId: r.ActionID, Status: string(r.Status), Message: r.Message}}}
}

// ResultFromProto returns the result an apply event reports. The status
// is taken as the provider spells it.
func ResultFromProto(in *pb.ActionResult) model.ActionResult {
	return model.ActionResult{ActionID: in.ActionId, Status: model.Status(in.Status), Message: in.Message}
}
