package protoconv

import (
	"fmt"

	"github.com/tend-sh/tend/core/model"
	pb "github.com/tend-sh/tend/plugins/proto/providerv1"
)

// ResultToProto returns r as the apply event that reports it.
func ResultToProto(r model.ActionResult) *pb.ApplyEvent {
	return &pb.ApplyEvent{Event: &pb.ApplyEvent_Result{Result: &pb.ActionResult{ActionId: r.ActionID, Status: string(r.Status), Message: r.Message}}}
}

// ResultFromProto returns the result an apply event reports. A status a
// provider may not send (anything but succeeded, failed, skipped and
// interrupted: a typo, a newer protocol's word, or rolled_back, which only
// tend sets) becomes failed, its message saying what the provider sent, so
// no unknown word ever counts as success.
func ResultFromProto(in *pb.ActionResult) model.ActionResult {
	r := model.ActionResult{ActionID: in.ActionId, Status: model.Status(in.Status), Message: in.Message}
	switch r.Status {
	case model.StatusSucceeded, model.StatusFailed, model.StatusSkipped, model.StatusInterrupted:
		return r
	}
	r.Status = model.StatusFailed
	msg := fmt.Sprintf("provider reported unknown status %q", in.Status)
	if in.Message != "" {
		msg += ": " + in.Message
	}
	r.Message = msg
	return r
}
